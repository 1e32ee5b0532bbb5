// Every request-smuggling and grammar vector from SPEC §8, one row each: the error code, the status
// the proxy answers with, and that feeding the bytes one at a time fails the same way.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

using namespace std::string_literals;

struct Row {
  std::string raw;
  ErrorCode error;
  int status;
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
  std::string shown;
  for (unsigned char c : r.raw) {
    if (c >= 0x20 && c < 0x7f) {
      shown += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      shown += buf;
    }
  }
  return os << '"' << shown << "\" -> " << errorName(r.error);
}

constexpr auto E = [](std::string raw, ErrorCode e) {
  return Row{std::move(raw), e, httpStatusFor(e)};
};

// A well-formed prefix, so each row isolates one fault.
std::string get(std::string_view fields) {
  return "GET / HTTP/1.1\r\nHost: h\r\n" + std::string(fields) + "\r\n";
}
std::string post(std::string_view fields) {
  return "POST /p HTTP/1.1\r\nHost: h\r\n" + std::string(fields) + "\r\n";
}
std::string line(std::string_view requestLine) {
  return std::string(requestLine) + "\r\nHost: h\r\n\r\n";
}

using EC = ErrorCode;

const Row kRows[] = {
    // Content-Length and Transfer-Encoding framing.
    E(post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
      EC::ContentLengthWithTransferEncoding),
    E(post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"),
      EC::ContentLengthWithTransferEncoding),
    E(post("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"),
      EC::ContentLengthWithTransferEncoding),
    E(post("Content-Length: 5\r\nContent-Length: 6\r\n"), EC::ConflictingContentLength),
    E(post("Content-Length: 1,2\r\n"), EC::ConflictingContentLength),
    E(post("Content-Length: 1, 1, 2\r\n"), EC::ConflictingContentLength),
    E(post("Content-Length: 0\r\nContent-Length: 00001\r\n"), EC::ConflictingContentLength),
    E(post("Content-Length: abc\r\n"), EC::BadContentLength),
    E(post("Content-Length: -1\r\n"), EC::BadContentLength),
    E(post("Content-Length: +5\r\n"), EC::BadContentLength),
    E(post("Content-Length: 0x10\r\n"), EC::BadContentLength),
    E(post("Content-Length: 1 2\r\n"), EC::BadContentLength),
    E(post("Content-Length: 5.0\r\n"), EC::BadContentLength),
    E(post("Content-Length:\r\n"), EC::BadContentLength),
    E(post("Content-Length: 1,\r\n"), EC::BadContentLength),
    E(post("Content-Length: ,1\r\n"), EC::BadContentLength),
    E(post("Content-Length: 9223372036854775808\r\n"), EC::BadContentLength),
    E(post("Content-Length: 99999999999999999999999\r\n"), EC::BadContentLength),
    E(post("Content-Length: 5\r\nContent-Length: x\r\n"), EC::BadContentLength),
    E(post("Transfer-Encoding: gzip, chunked\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: chunked, chunked\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
      EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
      EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: identity\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: xchunked\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: chunkedx\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: chunked;q=1\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: chunked, gzip\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: chunked,\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding:\r\n"), EC::UnsupportedTransferEncoding),
    E(post("Transfer-Encoding: \"chunked\"\r\n"), EC::UnsupportedTransferEncoding),
    E("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", EC::TransferEncodingOnHttp10),
    E("POST / HTTP/1.0\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      EC::TransferEncodingOnHttp10),
    // Field line syntax.
    E(get("X-A: 1\r\n folded\r\n"), EC::ObsFold),
    E(get("X-A: 1\r\n\tfolded\r\n"), EC::ObsFold),
    E("GET / HTTP/1.1\r\n Host: h\r\n\r\n", EC::ObsFold),
    E(get("Content-Length : 0\r\n"), EC::WhitespaceBeforeColon),
    E(get("Transfer-Encoding\t: chunked\r\n"), EC::WhitespaceBeforeColon),
    E("GET / HTTP/1.1\r\nHost : h\r\n\r\n", EC::WhitespaceBeforeColon),
    E(get("X A: 1\r\n"), EC::BadHeaderName),
    E(get(": novalue\r\n"), EC::BadHeaderName),
    E(get("NoColon\r\n"), EC::BadHeaderName),
    E(get("X(A): 1\r\n"), EC::BadHeaderName),
    E(get("X/A: 1\r\n"), EC::BadHeaderName),
    E(get("X@A: 1\r\n"), EC::BadHeaderName),
    E(get("X\xc3\xa9: 1\r\n"), EC::BadHeaderName),
    E(get("[X]: 1\r\n"), EC::BadHeaderName),
    E(get("X-A: a\rb\r\n"), EC::BareCrOrLf),
    E(get("X-A: a\nX-B: b\r\n"), EC::BareCrOrLf),
    E("GET / HTTP/1.1\nHost: h\r\n\r\n", EC::BareCrOrLf),
    E("GET / HTTP/1.1\r\nHost: h\n\n", EC::BareCrOrLf),
    E("GET / HTTP/1.1\r\nHost: h\r\n\n", EC::BareCrOrLf),
    E("GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", EC::BareCrOrLf),
    E("GET / HTTP/1.1\r\r\nHost: h\r\n\r\n", EC::BareCrOrLf),
    E("GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", EC::BareCrOrLf),
    E("\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", EC::BareCrOrLf),
    E("\r\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", EC::BareCrOrLf),
    E(get("X-A: a\0b\r\n"s), EC::ControlCharacter),
    E(get("X-A: \x01\r\n"), EC::ControlCharacter),
    E(get("X-A: abc\x7f\r\n"), EC::ControlCharacter),
    E(get("X-A: abcdefghijklmnop\x1bqrst\r\n"), EC::ControlCharacter),
    E(get("X\0A: 1\r\n"s), EC::ControlCharacter),
    E("GET /\0 HTTP/1.1\r\nHost: h\r\n\r\n"s, EC::ControlCharacter),
    E("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", EC::ControlCharacter),
    E("G\0T / HTTP/1.1\r\nHost: h\r\n\r\n"s, EC::ControlCharacter),
    E("GET / HTTP/1.1\x0b\r\nHost: h\r\n\r\n", EC::ControlCharacter),
    // Request line.
    E(line("GET"), EC::BadRequestLine),
    E(line("GET /"), EC::BadRequestLine),
    E(line(" / HTTP/1.1"), EC::BadRequestLine),
    E(line("GET  / HTTP/1.1"), EC::BadRequestLine),
    E(line("GET / "), EC::BadVersion),
    E(line("G(T / HTTP/1.1"), EC::BadMethod),
    E(line("GE\"T / HTTP/1.1"), EC::BadMethod),
    E(line("G\xc3\x89T / HTTP/1.1"), EC::BadMethod),
    E(line("GET /a b HTTP/1.1"), EC::BadTarget),
    E(line("GET / HTTP/1.1 "), EC::BadTarget),
    E(line("GET /caf\xc3\xa9 HTTP/1.1"), EC::BadTarget),
    E(line("GET /\x80 HTTP/1.1"), EC::BadTarget),
    E(line("GET a/b HTTP/1.1"), EC::BadTarget),
    E(line("GET /a#frag HTTP/1.1"), EC::BadTarget),
    E(line("GET * HTTP/1.1"), EC::BadTarget),
    E(line("CONNECT / HTTP/1.1"), EC::BadTarget),
    E(line("CONNECT example.com HTTP/1.1"), EC::BadTarget),
    E(line("GET http:/x HTTP/1.1"), EC::BadTarget),
    E(line("GET / HTTP/2.0"), EC::UnsupportedVersion),
    E(line("GET / HTTP/1.2"), EC::UnsupportedVersion),
    E(line("GET / HTTP/0.9"), EC::UnsupportedVersion),
    E(line("GET / HTTP/3.0"), EC::UnsupportedVersion),
    E(line("GET / http/1.1"), EC::BadVersion),
    E(line("GET / HTTP/1.10"), EC::BadVersion),
    E(line("GET / HTTP/1"), EC::BadVersion),
    E(line("GET / HTTP/a.b"), EC::BadVersion),
    E(line("GET / FOO"), EC::BadVersion),
    E(line("GET / HTTP/1.1\xff"), EC::BadVersion),
    // Host.
    E("GET / HTTP/1.1\r\n\r\n", EC::MissingHost),
    E("GET / HTTP/1.1\r\nX-Host: h\r\n\r\n", EC::MissingHost),
    E(get("Host: h\r\n"), EC::DuplicateHost),
    E(get("host: other\r\n"), EC::DuplicateHost),
    E("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", EC::DuplicateHost),
    E("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", EC::BadHeaderValue),
    E("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", EC::BadHeaderValue),
    E("GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", EC::BadHeaderValue),
    E("GET / HTTP/1.1\r\nHost: a\xc3\xa9\r\n\r\n", EC::BadHeaderValue),
};

class MalformedRequest : public ::testing::TestWithParam<Row> {};

TEST_P(MalformedRequest, RejectedWithCodeAndStatus) {
  const Row& row = GetParam();
  RequestHead head;
  ParseResult r = parseRequest(row.raw, Limits{}, head);
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_EQ(errorName(r.error), errorName(row.error));
  EXPECT_EQ(httpStatusFor(r.error), row.status);
}

TEST_P(MalformedRequest, ByteByByteFailsTheSameWay) {
  const Row& row = GetParam();
  RequestHead head;
  ParseResult r;
  for (size_t n = 0; n <= row.raw.size(); ++n) {
    r = parseRequest(std::string_view(row.raw).substr(0, n), Limits{}, head);
    if (r.status != Status::Incomplete) break;
  }
  EXPECT_EQ(r.status, Status::Error);
  EXPECT_EQ(errorName(r.error), errorName(row.error));
}

INSTANTIATE_TEST_SUITE_P(Vectors, MalformedRequest, ::testing::ValuesIn(kRows));

TEST(MalformedRequest, TableIsLargeAndCoversEveryRequestError) {
  EXPECT_GE(std::size(kRows), 80u);
  for (ErrorCode code :
       {EC::BadRequestLine, EC::BadMethod, EC::BadTarget, EC::BadVersion, EC::BadHeaderName,
        EC::BadHeaderValue, EC::WhitespaceBeforeColon, EC::ObsFold, EC::BareCrOrLf,
        EC::ControlCharacter, EC::MissingHost, EC::DuplicateHost, EC::BadContentLength,
        EC::ConflictingContentLength, EC::ContentLengthWithTransferEncoding,
        EC::UnsupportedTransferEncoding, EC::TransferEncodingOnHttp10, EC::UnsupportedVersion}) {
    bool found = false;
    for (const Row& row : kRows) found |= row.error == code;
    EXPECT_TRUE(found) << errorName(code);
  }
}

}  // namespace
}  // namespace consentry::http1
