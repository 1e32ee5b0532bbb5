#include "base/short_compare.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "base/http_header.h"

namespace consentry {
namespace {

// Every case variant and every one-byte change of a name, also bytes that differ from a letter
// or a '-' by 0x20 (the folding bit), answers as equalsIgnoreCase does.
template <size_t N>
void agreesWithEqualsIgnoreCase(const char (&lower)[N]) {
  const std::string name(lower, N - 1);
  std::mt19937 rng(N);
  for (int round = 0; round < 2000; ++round) {
    std::string text = name;
    for (char& c : text) {
      if (rng() % 2 != 0 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    if (round % 2 == 1) {
      const size_t at = rng() % text.size();
      const char tweaks[] = {0x20, 0x40, 0x01, static_cast<char>(0x80)};
      text[at] = static_cast<char>(text[at] ^ tweaks[rng() % 4]);
    }
    if (round % 7 == 0) text.push_back('x');
    if (round % 11 == 0) text.pop_back();
    EXPECT_EQ(equalsLowerLiteral(text, lower), equalsIgnoreCase(text, name)) << text;
  }
  EXPECT_TRUE(equalsLowerLiteral(name, lower));
}

TEST(EqualsLowerLiteral, AgreesWithEqualsIgnoreCase) {
  agreesWithEqualsIgnoreCase("accept-language");             // 15: two overlapping words
  agreesWithEqualsIgnoreCase("referer");                     // 7: two 4-byte words
  agreesWithEqualsIgnoreCase("sec-ch-ua-platform-version");  // 26: a loop and a tail word
  agreesWithEqualsIgnoreCase("user-agent");
  agreesWithEqualsIgnoreCase("host");
  agreesWithEqualsIgnoreCase("te");  // below 4: byte by byte
}

TEST(EqualsLowerLiteral, FoldsOnlyLetters) {
  EXPECT_TRUE(equalsLowerLiteral("Accept-Language", "accept-language"));
  EXPECT_TRUE(equalsLowerLiteral("REFERER", "referer"));
  EXPECT_FALSE(equalsLowerLiteral("accept\rlanguage", "accept-language"));  // '-' ^ 0x20
  EXPECT_FALSE(equalsLowerLiteral("referer ", "referer"));
  EXPECT_FALSE(equalsLowerLiteral("", "referer"));
}

}  // namespace
}  // namespace consentry
