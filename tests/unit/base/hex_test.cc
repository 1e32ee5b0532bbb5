#include "base/hex.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace consentry {
namespace {

std::string byTable(const uint8_t* bytes) {
  std::string s;
  for (int i = 0; i < 16; ++i) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", bytes[i]);
    s += two;
  }
  return s;
}

// Every byte value at every one of the 16 positions (the SSE lanes differ by position), and
// random blocks, come out as printf's %02x does.
TEST(Hex, Write32MatchesPrintf) {
  uint8_t bytes[16];
  for (int value = 0; value < 256; ++value) {
    for (int at = 0; at < 16; ++at) {
      for (int i = 0; i < 16; ++i) bytes[i] = static_cast<uint8_t>(value + 37 * (i + at));
      char out[32];
      hex::write32(bytes, out);
      ASSERT_EQ(std::string(out, 32), byTable(bytes)) << value << " at " << at;
    }
  }
  std::mt19937 rng(7);
  for (int round = 0; round < 1000; ++round) {
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    char out[32];
    hex::write32(bytes, out);
    ASSERT_EQ(std::string(out, 32), byTable(bytes));
  }
}

// Any byte outside '0'-'9' and 'a'-'f', at any of the 32 positions, makes the text invalid;
// every hex digit at every position keeps it valid.
TEST(Hex, IsLowerHex32ChecksEveryByteAtEveryPosition) {
  const std::string valid = "0123456789abcdeffedcba9876543210";
  ASSERT_TRUE(hex::isLowerHex32(valid.data()));
  for (size_t at = 0; at < 32; ++at) {
    for (int c = 0; c < 256; ++c) {
      std::string text = valid;
      text[at] = static_cast<char>(c);
      const bool digit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      ASSERT_EQ(hex::isLowerHex32(text.data()), digit) << "byte " << c << " at " << at;
    }
  }
}

// Every pair of bytes after a '%', against strtol on the two characters; and a '%' too close to
// the end starts no escape.
TEST(Hex, EscapeAtReadsTwoHexDigitsOfEitherCase) {
  auto isHexDigit = [](int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  for (int hi = 0; hi < 256; ++hi) {
    for (int lo = 0; lo < 256; ++lo) {
      const std::string text = {'x', '%', static_cast<char>(hi), static_cast<char>(lo)};
      const int want = isHexDigit(hi) && isHexDigit(lo)
                           ? static_cast<int>(std::strtol(text.substr(2).c_str(), nullptr, 16))
                           : -1;
      ASSERT_EQ(hex::escapeAt(text, 1), want) << hi << " " << lo;
    }
  }
  EXPECT_EQ(hex::escapeAt("%4", 0), -1);
  EXPECT_EQ(hex::escapeAt("a%", 1), -1);
  EXPECT_EQ(hex::escapeAt("%41", 0), 'A');
  EXPECT_EQ(hex::escapeAt("%2c", 0), ',');
}

}  // namespace
}  // namespace consentry
