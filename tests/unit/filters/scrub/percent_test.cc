#include "filters/scrub/percent.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

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

// needsDecoding scans 16 bytes at a time; whatever the position of the '%' or '+' relative to
// those blocks, it must say yes exactly when decoding changes the text.
TEST(Percent, NeedsDecodingAgreesWithDecodeAtEveryPosition) {
  const char kAlphabet[] = {'%', '+', '4', '1', 'a', 'z', '/', 'x', 'x', 'x', 'x', 'x'};
  uint32_t seed = 7;
  auto next = [&] {
    seed = seed * 1103515245 + 12345;
    return seed >> 16;
  };
  for (int round = 0; round < 20000; ++round) {
    std::string text(next() % 50, 'x');
    for (char& c : text) c = kAlphabet[next() % sizeof kAlphabet];
    for (bool plus : {false, true}) {
      ASSERT_EQ(needsDecoding(text, plus), decode(text, plus) != text) << text << " " << plus;
    }
  }
}

TEST(Percent, EncodeRoundTrips) {
  std::string enc;
  percentEncode("a b&c=d/[redacted]+\xff", enc);
  EXPECT_EQ(enc, "a%20b%26c%3Dd%2F[redacted]%2B%FF");
  EXPECT_EQ(decode(enc, false), "a b&c=d/[redacted]+\xff");
}

}  // namespace
}  // namespace consentry::filters::scrub
