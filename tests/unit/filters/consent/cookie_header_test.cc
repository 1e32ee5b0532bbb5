#include "filters/consent/cookie_header.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace consentry::filters::consent {
namespace {

std::vector<std::pair<std::string, std::string>> all(std::string_view header) {
  std::vector<std::pair<std::string, std::string>> out;
  CookieIterator it(header);
  while (auto p = it.next()) out.emplace_back(p->name, p->value);
  return out;
}

TEST(CookieIterator, SplitsPairsToleratingSpacing) {
  auto pairs = all("a=1; b=2;c=3 ;  d = 4 ;;e=");
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(pairs[2], (std::pair<std::string, std::string>{"c", "3"}));
  EXPECT_EQ(pairs[3], (std::pair<std::string, std::string>{"d", "4"}));
  EXPECT_EQ(pairs[4], (std::pair<std::string, std::string>{"e", ""}));
}

TEST(CookieIterator, SkipsPairsWithoutEqualsAndStripsQuotes) {
  auto pairs = all("flag; x=\"quoted value\"; =nameless; y=\"");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].second, "quoted value");
  EXPECT_EQ(pairs[1].second, "\"");  // a lone quote is not a quoted value
}

TEST(CookieIterator, ValueMayContainEquals) {
  auto pairs = all("tc=abc==; kv=analytics=1|v=3");
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].second, "abc==");
  EXPECT_EQ(pairs[1].second, "analytics=1|v=3");
}

TEST(FindCookie, NamesAreCaseSensitiveHeadersAreNot) {
  std::vector<HeaderField> headers = {{"Host", "x"}, {"cookie", "A=1"}, {"COOKIE", "a=2; b=3"}};
  EXPECT_EQ(findCookie(headers, "a").value(), "2");
  EXPECT_EQ(findCookie(headers, "A").value(), "1");
  EXPECT_EQ(findCookie(headers, "b").value(), "3");
  EXPECT_FALSE(findCookie(headers, "B").has_value());
  EXPECT_FALSE(findCookie(headers, "Host").has_value());
}

TEST(FindCookie, FirstOccurrenceWins) {
  std::vector<HeaderField> headers = {{"Cookie", "a=first; a=second"}, {"Cookie", "a=third"}};
  EXPECT_EQ(findCookie(headers, "a").value(), "first");
}

TEST(PercentDecode, DecodesOnceAndKeepsBrokenEscapes) {
  EXPECT_EQ(percentDecode("C0001%3A1%2CC0002%3A0"), "C0001:1,C0002:0");
  EXPECT_EQ(percentDecode("%2541"), "%41");  // once, not twice
  EXPECT_EQ(percentDecode("100%"), "100%");
  EXPECT_EQ(percentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(percentDecode("a+b"), "a+b");
  EXPECT_TRUE(needsPercentDecode("x%7B"));
  EXPECT_FALSE(needsPercentDecode("x%7"));
  EXPECT_FALSE(needsPercentDecode("plain"));
}

// The byte-at-a-time definition: `%XX` with two hex digits decodes, anything else stays.
std::string referenceDecode(std::string_view in) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

// The decoder works 16 bytes at a time: escapes (valid, cut short, invalid) at every position
// around the block edges and lengths up to a few blocks must decode as the byte loop does.
TEST(PercentDecode, MatchesTheByteLoopAtEveryPosition) {
  const char kAlphabet[] = {'%', '%', '%', '2', '5', 'a', 'F', 'z', 'g', '0', ';', '\xC3', '+'};
  uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245 + 12345;
    return seed >> 16;
  };
  std::string decoded;
  for (int round = 0; round < 20000; ++round) {
    std::string in(next() % 70, 'x');
    for (char& c : in) c = kAlphabet[next() % sizeof kAlphabet];
    const std::string expected = referenceDecode(in);
    percentDecodeInto(in, decoded);
    ASSERT_EQ(decoded, expected) << in;
    ASSERT_EQ(needsPercentDecode(in), expected != in) << in;
  }
}

}  // namespace
}  // namespace consentry::filters::consent
