#include "filters/consent/cookie_header.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace consentry::filters::consent
