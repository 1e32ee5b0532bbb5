#include "filters/cookies/cookie_stripper.h"

#include <gtest/gtest.h>

#include <random>

namespace consentry::filters {
namespace {

CookieStripper stripper() {
  return CookieStripper(
      {{"analytics", {"_ga", "_ga_*", "_gid"}}, {"marketing", {"_fbp", "_gcl_*", "*_ads"}}});
}

TEST(Wildcard, Matches) {
  EXPECT_TRUE(wildcardMatch("_ga", "_ga"));
  EXPECT_FALSE(wildcardMatch("_ga", "_gab"));
  EXPECT_TRUE(wildcardMatch("_ga_*", "_ga_ABC123"));
  EXPECT_TRUE(wildcardMatch("_ga_*", "_ga_"));
  EXPECT_FALSE(wildcardMatch("_ga_*", "_ga"));
  EXPECT_TRUE(wildcardMatch("*_ads", "x_ads"));
  EXPECT_TRUE(wildcardMatch("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(wildcardMatch("a*b*c", "aXXbYY"));
  EXPECT_TRUE(wildcardMatch("*", ""));
  EXPECT_FALSE(wildcardMatch("_GA", "_ga"));  // cookie names are case-sensitive
}

TEST(SetCookieName, Parses) {
  EXPECT_EQ(setCookieName("_ga=GA1.1.2; Path=/; Max-Age=1"), "_ga");
  EXPECT_EQ(setCookieName(" sid = x"), "sid");
  EXPECT_EQ(setCookieName("flag"), "flag");
}

TEST(CookieStripper, StripsOnlyNonConsentedCategories) {
  auto s = stripper();
  GrantedCategories none;
  GrantedCategories analyticsOnly{.analytics = true};
  EXPECT_TRUE(s.shouldStrip("_ga=1; Path=/", none));
  EXPECT_FALSE(s.shouldStrip("_ga=1; Path=/", analyticsOnly));
  EXPECT_TRUE(s.shouldStrip("_gcl_au=1", analyticsOnly));
  EXPECT_FALSE(s.shouldStrip("session=1", none));  // unclaimed cookies are the site's business
}

TEST(CookieStripper, HeaderIndexes) {
  auto s = stripper();
  std::vector<HeaderField> headers = {{"Content-Type", "text/html"},
                                      {"Set-Cookie", "_ga=1"},
                                      {"set-cookie", "sid=2"},
                                      {"SET-COOKIE", "_fbp=3"},
                                      {"X-Set-Cookie", "_ga=1"}};
  EXPECT_EQ(s.headersToStrip(headers, {}), (std::vector<size_t>{1, 3}));
  EXPECT_EQ(s.headersToStrip(headers, {.analytics = true}), (std::vector<size_t>{3}));
  EXPECT_TRUE(s.headersToStrip(headers, {.analytics = true, .marketing = true}).empty());
}

// Property (SPEC §9.4): for random cookie names and grants, a cookie survives only when its
// category (if any) was granted.
TEST(CookieStripper, PropertyNoNonConsentedCookieSurvives) {
  auto s = stripper();
  std::mt19937 rng(7);
  const char* names[] = {"_ga", "_ga_X1", "_gid", "_fbp", "_gcl_aw", "foo_ads", "sid", "_gax"};
  for (int i = 0; i < 10000; ++i) {
    GrantedCategories g{.analytics = (rng() & 1) != 0, .marketing = (rng() & 1) != 0};
    std::string name = names[rng() % 8];
    bool stripped = s.shouldStrip(name + "=v; Path=/", g);
    auto category = s.categoryOf(name);
    if (category.empty()) {
      EXPECT_FALSE(stripped);
    } else {
      EXPECT_EQ(stripped, !g.granted(category)) << name;
    }
  }
}

}  // namespace
}  // namespace consentry::filters
