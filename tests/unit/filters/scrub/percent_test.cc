#include "filters/scrub/percent.h"

#include <gtest/gtest.h>

namespace consentry::filters::scrub {
namespace {

std::string decode(std::string_view s, bool plus) {
  std::string out;
  percentDecode(s, plus, out);
  return out;
}

TEST(Percent, Decode) {
  EXPECT_EQ(decode("a%40b.com", false), "a@b.com");
  EXPECT_EQ(decode("%2b49+30", true), "+49 30");
  EXPECT_EQ(decode("%2b49+30", false), "+49+30");
  EXPECT_EQ(decode("100%", false), "100%");
  EXPECT_EQ(decode("%zz%4", false), "%zz%4");
  EXPECT_EQ(decode("%E2%82%AC", false), "\xE2\x82\xAC");
}

TEST(Percent, NeedsDecoding) {
  EXPECT_TRUE(needsDecoding("a%40b", false));
  EXPECT_FALSE(needsDecoding("50% off", false));
  EXPECT_FALSE(needsDecoding("a+b", false));
  EXPECT_TRUE(needsDecoding("a+b", true));
  EXPECT_FALSE(needsDecoding("%4", false));
}

TEST(Percent, EncodeRoundTrips) {
  std::string enc;
  percentEncode("a b&c=d/[redacted]+\xff", enc);
  EXPECT_EQ(enc, "a%20b%26c%3Dd%2F[redacted]%2B%FF");
  EXPECT_EQ(decode(enc, false), "a b&c=d/[redacted]+\xff");
}

}  // namespace
}  // namespace consentry::filters::scrub
