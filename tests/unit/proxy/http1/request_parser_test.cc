#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

ParseResult parse(std::string_view raw, RequestHead& head, const Limits& limits = {}) {
  return parseRequest(raw, limits, head);
}

std::string_view header(const RequestHead& h, std::string_view name) {
  const HeaderField* f = findHeader(h.headers, name);
  return f ? f->value : std::string_view("<absent>");
}

TEST(RequestParser, SimpleGet) {
  std::string raw = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  RequestHead h;
  ParseResult r = parse(raw, h);
  ASSERT_EQ(r.status, Status::Complete);
  EXPECT_EQ(h.method, "GET");
  EXPECT_EQ(h.target, "/index.html?q=1");
  EXPECT_EQ(h.versionMinor, 1);
  EXPECT_EQ(h.host, "example.com");
  ASSERT_EQ(h.headers.size(), 2u);
  EXPECT_EQ(h.headers[1].name, "Accept");
  EXPECT_EQ(h.headers[1].value, "*/*");
  EXPECT_EQ(h.body, BodyKind::None);
  EXPECT_TRUE(h.keepAlive);
  EXPECT_EQ(h.headBytes, raw.size());
  // Views point into the input, not into copies.
  EXPECT_EQ(h.target.data(), raw.data() + 4);
}

TEST(RequestParser, EveryPrefixIsIncomplete) {
  std::string raw = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
  RequestHead h;
  for (size_t n = 0; n < raw.size(); ++n) {
    EXPECT_EQ(parse(std::string_view(raw).substr(0, n), h).status, Status::Incomplete) << n;
  }
  EXPECT_EQ(parse(raw, h).status, Status::Complete);
}

TEST(RequestParser, AllMethodsAndTargetForms) {
  struct Case {
    std::string method, target;
  };
  for (const Case& c :
       {Case{"GET", "/"}, Case{"HEAD", "/a"}, Case{"POST", "/b?c=d"}, Case{"PUT", "/x/y"},
        Case{"DELETE", "/z"}, Case{"OPTIONS", "*"}, Case{"OPTIONS", "/o"}, Case{"TRACE", "/t"},
        Case{"PATCH", "/p"}, Case{"PROPFIND", "/dav"}, Case{"CONNECT", "example.com:443"},
        Case{"CONNECT", "[::1]:8443"}, Case{"GET", "http://example.com/x?y"},
        Case{"GET", "https://example.com:8443"}, Case{"M-SEARCH", "*"}}) {
    if (c.target == "*" && c.method != "OPTIONS") continue;
    std::string raw = c.method + " " + c.target + " HTTP/1.1\r\nHost: example.com\r\n\r\n";
    RequestHead h;
    ParseResult r = parse(raw, h);
    if (c.method == "M-SEARCH") {
      EXPECT_EQ(r.error, ErrorCode::BadTarget);  // '*' is for OPTIONS only
      continue;
    }
    ASSERT_EQ(r.status, Status::Complete) << raw << errorName(r.error);
    EXPECT_EQ(h.method, c.method);
    EXPECT_EQ(h.target, c.target);
  }
}

TEST(RequestParser, ValuesMayHoldTabsObsTextAndOws) {
  std::string raw =
      "GET / HTTP/1.1\r\nHost: h\r\nX-Tab: a\tb\r\nX-Obs: caf\xc3\xa9 \xff\r\n"
      "X-Ows: \t  padded \t\r\nX-Empty:\r\nX-Long: "
      "0123456789abcdef0123456789abcdef!\"#$%&'()\r\n\r\n";
  RequestHead h;
  ASSERT_EQ(parse(raw, h).status, Status::Complete);
  EXPECT_EQ(header(h, "x-tab"), "a\tb");
  EXPECT_EQ(header(h, "X-OBS"), "caf\xc3\xa9 \xff");
  EXPECT_EQ(header(h, "x-ows"), "padded");
  EXPECT_EQ(header(h, "x-empty"), "");
  EXPECT_EQ(header(h, "x-long"), "0123456789abcdef0123456789abcdef!\"#$%&'()");
}

TEST(RequestParser, PipelinedHeadsParseOneAtATime) {
  std::string raw =
      "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"
      "\r\nGET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /4";
  std::string_view rest = raw;
  RequestHead h;
  ASSERT_EQ(parse(rest, h).status, Status::Complete);
  EXPECT_EQ(h.target, "/1");
  rest.remove_prefix(h.headBytes);
  ASSERT_EQ(parse(rest, h).status, Status::Complete);
  EXPECT_EQ(h.target, "/2");
  ASSERT_EQ(h.body, BodyKind::Length);
  ASSERT_EQ(h.contentLength, 4u);
  rest.remove_prefix(h.headBytes + h.contentLength);
  // A stray CRLF after a body is skipped (RFC 9112 §2.2) and counted in headBytes.
  ASSERT_EQ(parse(rest, h).status, Status::Complete);
  EXPECT_EQ(h.target, "/3");
  EXPECT_FALSE(h.keepAlive);
  rest.remove_prefix(h.headBytes);
  EXPECT_EQ(parse(rest, h).status, Status::Incomplete);
  EXPECT_EQ(rest, "GET /4");
}

TEST(RequestParser, ByteByByteEqualsWhole) {
  std::string raw =
      "PUT http://api.example/v1/items?id=7 HTTP/1.1\r\nHost: api.example\r\n"
      "Transfer-Encoding: chunked\r\nConnection: keep-alive, Upgrade\r\nUpgrade: h2c\r\n"
      "Expect: 100-Continue\r\nX-Obs: \x80\xfe\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  RequestHead whole;
  ASSERT_EQ(parse(raw, whole).status, Status::Complete);
  RequestHead part;
  size_t n = 0;
  for (; n <= raw.size(); ++n) {
    ParseResult r = parse(std::string_view(raw).substr(0, n), part);
    if (r.status != Status::Incomplete) {
      ASSERT_EQ(r.status, Status::Complete);
      break;
    }
  }
  EXPECT_EQ(n, whole.headBytes);
  EXPECT_EQ(part.method, whole.method);
  EXPECT_EQ(part.target, whole.target);
  EXPECT_EQ(part.host, whole.host);
  EXPECT_EQ(part.body, BodyKind::Chunked);
  EXPECT_TRUE(part.expectContinue);
  EXPECT_TRUE(part.upgrade);
  EXPECT_TRUE(part.keepAlive);
  ASSERT_EQ(part.headers.size(), whole.headers.size());
  for (size_t i = 0; i < part.headers.size(); ++i) {
    EXPECT_EQ(part.headers[i].name, whole.headers[i].name);
    EXPECT_EQ(part.headers[i].value, whole.headers[i].value);
  }
}

TEST(RequestParser, ContentLengthRules) {
  RequestHead h;
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 42\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_EQ(h.body, BodyKind::Length);
  EXPECT_EQ(h.contentLength, 42u);
  // Identical repeats (as a list or as repeated fields) are one value (RFC 9110 §8.6).
  ASSERT_EQ(
      parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 7, 7\r\nContent-Length: 7\r\n\r\n", h)
          .status,
      Status::Complete);
  EXPECT_EQ(h.contentLength, 7u);
  ASSERT_EQ(
      parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n", h).status,
      Status::Complete);
  EXPECT_EQ(h.contentLength, 9223372036854775807u);
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_EQ(h.body, BodyKind::Length);
  EXPECT_EQ(h.contentLength, 0u);
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: CHUNKED\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_EQ(h.body, BodyKind::Chunked);
}

TEST(RequestParser, ConnectionAndVersionDefaults) {
  struct Case {
    std::string_view version, connection;
    bool keepAlive;
  };
  for (const Case& c : {Case{"1.1", "", true}, Case{"1.1", "close", false},
                        Case{"1.1", "Keep-Alive, CLOSE", false}, Case{"1.0", "", false},
                        Case{"1.0", "keep-alive", true}, Case{"1.0", "foo, Keep-Alive", true},
                        Case{"1.0", "keep-alive, close", false}, Case{"1.1", "closed", true}}) {
    std::string raw = "GET / HTTP/" + std::string(c.version) + "\r\nHost: h\r\n";
    if (!c.connection.empty()) raw += "Connection: " + std::string(c.connection) + "\r\n";
    raw += "\r\n";
    RequestHead h;
    ASSERT_EQ(parse(raw, h).status, Status::Complete) << raw;
    EXPECT_EQ(h.keepAlive, c.keepAlive) << raw;
    EXPECT_EQ(h.versionMinor, c.version == "1.0" ? 0 : 1);
  }
}

TEST(RequestParser, Http10NeedsNoHost) {
  RequestHead h;
  ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", h).status, Status::Complete);
  EXPECT_TRUE(h.host.empty());
  // Expect and Upgrade mean nothing in HTTP/1.0.
  ASSERT_EQ(parse("GET / HTTP/1.0\r\nExpect: 100-continue\r\nConnection: upgrade\r\n"
                  "Upgrade: websocket\r\n\r\n",
                  h)
                .status,
            Status::Complete);
  EXPECT_FALSE(h.expectContinue);
  EXPECT_FALSE(h.upgrade);
}

TEST(RequestParser, UpgradeNeedsTokenAndField) {
  RequestHead h;
  ASSERT_EQ(parse("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_FALSE(h.upgrade);
  ASSERT_EQ(parse("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_FALSE(h.upgrade);
  ASSERT_EQ(parse("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive,Upgrade\r\n"
                  "Upgrade: websocket\r\n\r\n",
                  h)
                .status,
            Status::Complete);
  EXPECT_TRUE(h.upgrade);
}

TEST(RequestParser, ExpectContinue) {
  RequestHead h;
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_TRUE(h.expectContinue);
  ASSERT_EQ(parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\n\r\n", h).status,
            Status::Complete);
  EXPECT_FALSE(h.expectContinue);
}

TEST(RequestParser, HostForms) {
  for (std::string_view host : {"example.com", "example.com:8080", "[2001:db8::1]:443", "192.0.2.1",
                                "xn--bcher-kva.example", ""}) {
    std::string raw = "GET / HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n";
    RequestHead h;
    ASSERT_EQ(parse(raw, h).status, Status::Complete) << host;
    EXPECT_EQ(h.host, host);
  }
}

TEST(RequestParser, HeadLimitAppliesEvenWhileIncomplete) {
  Limits limits;
  limits.maxHeaderBytes = 64;
  std::string start = "GET / HTTP/1.1\r\nHost: h\r\nX-Pad: ";
  std::string raw = start + std::string(64 - start.size(), 'a');
  RequestHead h;
  EXPECT_EQ(parse(raw, h, limits).status, Status::Incomplete);
  raw += "a";
  ParseResult r = parse(raw, h, limits);
  EXPECT_EQ(r.error, ErrorCode::HeadersTooLarge);
  EXPECT_EQ(httpStatusFor(r.error), 431);
  // A head of exactly the limit, final CRLF included, is accepted.
  std::string exact = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
  exact += std::string(64 - exact.size() - 4, 'b') + "\r\n\r\n";
  ASSERT_EQ(exact.size(), 64u);
  EXPECT_EQ(parse(exact, h, limits).status, Status::Complete);
  std::string over = exact;
  over.insert(over.size() - 4, "b");
  EXPECT_EQ(parse(over, h, limits).error, ErrorCode::HeadersTooLarge);
}

TEST(RequestParser, TooManyHeaders) {
  Limits limits;
  limits.maxHeaders = 3;
  RequestHead h;
  EXPECT_EQ(parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", h, limits).status,
            Status::Complete);
  ParseResult r = parse("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC", h, limits);
  EXPECT_EQ(r.error, ErrorCode::TooManyHeaders);
  EXPECT_EQ(httpStatusFor(r.error), 431);
}

TEST(RequestParser, UriTooLongEvenWhileIncomplete) {
  Limits limits;
  limits.maxUriBytes = 16;
  RequestHead h;
  std::string target = "/" + std::string(15, 'x');
  EXPECT_EQ(parse("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n", h, limits).status,
            Status::Complete);
  ParseResult r = parse("GET " + target + "y", h, limits);
  EXPECT_EQ(r.error, ErrorCode::UriTooLong);
  EXPECT_EQ(httpStatusFor(r.error), 414);
}

TEST(RequestParser, HeadersVectorCapacityIsReused) {
  RequestHead h;
  std::string raw = "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
  ASSERT_EQ(parse(raw, h).status, Status::Complete);
  const HeaderField* storage = h.headers.data();
  ASSERT_EQ(parse(raw, h).status, Status::Complete);
  EXPECT_EQ(h.headers.data(), storage);
  EXPECT_EQ(h.headers.size(), 4u);
}

TEST(RequestParser, ErrorNamesAndStatuses) {
  EXPECT_EQ(errorName(ErrorCode::ObsFold), "obs_fold");
  EXPECT_EQ(httpStatusFor(ErrorCode::BadStatusLine), 502);
  EXPECT_EQ(httpStatusFor(ErrorCode::BodyTooLarge), 413);
  EXPECT_EQ(httpStatusFor(ErrorCode::UnsupportedVersion), 505);
  EXPECT_EQ(httpStatusFor(ErrorCode::BadChunkSize), 400);
  for (int c = 0; c <= static_cast<int>(ErrorCode::UnsupportedVersion); ++c) {
    EXPECT_NE(errorName(static_cast<ErrorCode>(c)), "unknown") << c;
  }
}

}  // namespace
}  // namespace consentry::http1
