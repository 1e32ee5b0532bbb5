#include "proxy/http2/validation.h"

#include <gtest/gtest.h>

#include <string>

namespace consentry::proxy::http2 {
namespace {

TEST(Http2Validation, AcceptsOrdinaryFields) {
  EXPECT_TRUE(isValidField(":path", "/a?b=c"));
  EXPECT_TRUE(isValidField("accept-language", "de-DE,de;q=0.8"));
  EXPECT_TRUE(isValidField("x-empty", ""));
  EXPECT_TRUE(isValidField("cookie", "a=1; b=2"));
}

TEST(Http2Validation, RefusesWhatCouldSplitAnHttp11Head) {
  EXPECT_FALSE(isValidField("x-evil", "a\r\nx-injected: 1"));
  EXPECT_FALSE(isValidField("x-evil", "a\nb"));
  EXPECT_FALSE(isValidField("x-evil", std::string("a\0b", 3)));
  EXPECT_FALSE(isValidField("X-Upper", "1"));
  EXPECT_FALSE(isValidField("x evil", "1"));
  EXPECT_FALSE(isValidField("x:evil", "1"));
  EXPECT_FALSE(isValidField("", "1"));
  EXPECT_FALSE(isValidField(":", "1"));
  EXPECT_FALSE(isValidField("x-pad", " leading"));
  EXPECT_FALSE(isValidField("x-pad", "trailing\t"));
}

TEST(Http2Validation, EveryControlByteInANameIsRefused) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool token = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                       std::string("!#$%&'*+-.^_`|~").find(ch) != std::string::npos;
    EXPECT_EQ(isValidField(std::string("x") + ch, "v"), token) << c;
  }
}

TEST(Http2Validation, ConnectionSpecificFields) {
  for (const char* name :
       {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
    EXPECT_TRUE(isConnectionSpecific(name, "x")) << name;
  }
  EXPECT_FALSE(isConnectionSpecific("te", "trailers"));
  EXPECT_TRUE(isConnectionSpecific("te", "gzip"));
  EXPECT_TRUE(isConnectionSpecific("te", "trailers, gzip"));
  EXPECT_FALSE(isConnectionSpecific("content-length", "5"));
}

}  // namespace
}  // namespace consentry::proxy::http2
