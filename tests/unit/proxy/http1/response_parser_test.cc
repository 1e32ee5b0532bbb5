#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

struct Framing {
  std::string raw;
  std::string_view method;
  BodyKind body;
  uint64_t length;
  bool keepAlive;
};

class ResponseFraming : public ::testing::TestWithParam<Framing> {};

TEST_P(ResponseFraming, FollowsRfc9112Section6_3) {
  const Framing& c = GetParam();
  ResponseHead h;
  ParseResult r = parseResponse(c.raw, Limits{}, c.method, h);
  ASSERT_EQ(r.status, Status::Complete) << c.raw << errorName(r.error);
  EXPECT_EQ(h.body, c.body) << c.raw;
  EXPECT_EQ(h.contentLength, c.length) << c.raw;
  EXPECT_EQ(h.keepAlive, c.keepAlive) << c.raw;
  EXPECT_EQ(h.headBytes, c.raw.size());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ResponseFraming,
    ::testing::Values(
        Framing{"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", "GET", BodyKind::Length, 12, true},
        Framing{"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", "HEAD", BodyKind::None, 0, true},
        Framing{"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", "GET", BodyKind::None, 0,
                true},
        Framing{"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n", "GET",
                BodyKind::None, 0, true},
        Framing{"HTTP/1.1 100 Continue\r\n\r\n", "POST", BodyKind::None, 0, true},
        Framing{
            "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET", BodyKind::None, 0, true},
        Framing{"HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT", BodyKind::None, 0, true},
        Framing{"HTTP/1.1 407 Auth\r\nContent-Length: 3\r\n\r\n", "CONNECT", BodyKind::Length, 3,
                true},
        Framing{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", BodyKind::Chunked,
                0, true},
        Framing{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "GET",
                BodyKind::Chunked, 0, true},
        Framing{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET", BodyKind::UntilClose,
                0, false},
        Framing{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n", "GET",
                BodyKind::Chunked, 0, false},
        Framing{"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET",
                BodyKind::UntilClose, 0, false},
        Framing{"HTTP/1.1 200 OK\r\n\r\n", "GET", BodyKind::UntilClose, 0, false},
        Framing{"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", "GET", BodyKind::Length, 1, false},
        Framing{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", "GET",
                BodyKind::Length, 1, true},
        Framing{"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2, 2\r\n\r\n", "GET",
                BodyKind::Length, 2, false},
        Framing{"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", "GET", BodyKind::Length, 0, true},
        Framing{"HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n", "GET", BodyKind::Length, 0, true}));

TEST(ResponseParser, StatusLineAndHeaders) {
  std::string raw = "HTTP/1.1 404 Not \tFound \xe2\x9c\x97\r\nServer: x\r\nX-A:  b \r\n\r\nbody";
  ResponseHead h;
  ASSERT_EQ(parseResponse(raw, Limits{}, "GET", h).status, Status::Complete);
  EXPECT_EQ(h.status, 404);
  EXPECT_EQ(h.reason, "Not \tFound \xe2\x9c\x97");
  ASSERT_EQ(h.headers.size(), 2u);
  EXPECT_EQ(h.headers[1].value, "b");
  EXPECT_EQ(raw.substr(h.headBytes), "body");
  for (size_t n = 0; n < h.headBytes; ++n) {
    EXPECT_EQ(parseResponse(std::string_view(raw).substr(0, n), Limits{}, "GET", h).status,
              Status::Incomplete);
  }
}

TEST(ResponseParser, InvalidResponses) {
  struct Case {
    std::string raw;
    ErrorCode error;
  };
  for (const Case& c : {
           Case{"HTTP/1.1 2000 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.1 20 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.1 099 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.1 abc OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/2.0 200 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.2 200 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"http/1.1 200 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"ICY 200 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.1  200 OK\r\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.1 200 OK\n\r\n", ErrorCode::BadStatusLine},
           Case{"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", ErrorCode::ObsFold},
           Case{"HTTP/1.1 200 OK\r\nX : a\r\n\r\n", ErrorCode::WhitespaceBeforeColon},
           Case{"HTTP/1.1 200 OK\r\nX: a\nY: b\r\n\r\n", ErrorCode::BareCrOrLf},
           Case{"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
                ErrorCode::ConflictingContentLength},
           Case{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", ErrorCode::BadContentLength},
           Case{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
                ErrorCode::UnsupportedTransferEncoding},
       }) {
    ResponseHead h;
    const std::string& raw = c.raw;
    ParseResult r = parseResponse(raw, Limits{}, "GET", h);
    EXPECT_EQ(r.status, Status::Error) << raw;
    EXPECT_EQ(errorName(r.error), errorName(c.error)) << raw;
  }
  ResponseHead h;
  std::string nul("HTTP/1.1 200 O\0K\r\n\r\n", 20);
  EXPECT_EQ(parseResponse(nul, Limits{}, "GET", h).error, ErrorCode::BadStatusLine);
  EXPECT_EQ(httpStatusFor(ErrorCode::BadStatusLine), 502);
}

TEST(ResponseParser, Limits) {
  Limits limits;
  limits.maxHeaderBytes = 40;
  limits.maxHeaders = 2;
  ResponseHead h;
  EXPECT_EQ(
      parseResponse("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits, "GET", h).error,
      ErrorCode::TooManyHeaders);
  EXPECT_EQ(parseResponse("HTTP/1.1 200 OK\r\nA: " + std::string(40, 'x'), limits, "GET", h).error,
            ErrorCode::HeadersTooLarge);
}

}  // namespace
}  // namespace consentry::http1
