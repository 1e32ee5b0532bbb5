#include "filters/policy/field_rules.h"

#include <gtest/gtest.h>

namespace consentry::filters::policy {
namespace {

std::optional<std::string> major(std::string v) {
  return reduceToMajorVersion(v) ? std::optional(v) : std::nullopt;
}
std::optional<std::string> primary(std::string v) {
  return reduceToPrimaryLanguage(v) ? std::optional(v) : std::nullopt;
}
std::optional<std::string> origin(std::string v) {
  return reduceToOrigin(v) ? std::optional(v) : std::nullopt;
}

TEST(FieldRules, MajorVersion) {
  EXPECT_EQ(major("131.0.6778.86"), "131");
  EXPECT_EQ(major("10_15_7"), "10");
  EXPECT_EQ(major("17"), "17");
  EXPECT_EQ(major("3.2-beta"), "3");
  EXPECT_EQ(major(""), std::nullopt);
  EXPECT_EQ(major(".5"), std::nullopt);
}

TEST(FieldRules, PrimaryLanguage) {
  EXPECT_EQ(primary("de-DE"), "de");
  EXPECT_EQ(primary("EN-us"), "en");
  EXPECT_EQ(primary("zh_Hant_TW"), "zh");
  EXPECT_EQ(primary("fil"), "fil");
  EXPECT_EQ(primary("x"), std::nullopt);
  EXPECT_EQ(primary("12-34"), std::nullopt);
  EXPECT_EQ(primary("*"), std::nullopt);
  EXPECT_EQ(primary(""), std::nullopt);
}

TEST(FieldRules, Origin) {
  EXPECT_EQ(origin("https://search.example/path?q=secret#frag"), "https://search.example");
  EXPECT_EQ(origin("HTTPS://Search.Example:8443"), "https://search.example:8443");
  EXPECT_EQ(origin("https://user:pw@host.example/x"), "https://host.example");
  EXPECT_EQ(origin("http://[2001:db8::1]:8080/a"), "http://[2001:db8::1]:8080");
  EXPECT_EQ(origin("android-app://com.google.android.gm/"), "android-app://com.google.android.gm");
  EXPECT_EQ(origin("/relative/path"), std::nullopt);
  EXPECT_EQ(origin("https:///nohost"), std::nullopt);
  EXPECT_EQ(origin("://x"), std::nullopt);
  EXPECT_EQ(origin("1ttp://x"), std::nullopt);
  EXPECT_EQ(origin("not a url"), std::nullopt);
  // Cut short around the "://".
  EXPECT_EQ(origin("https:"), std::nullopt);
  EXPECT_EQ(origin("https:/"), std::nullopt);
  EXPECT_EQ(origin("https:/x/y"), std::nullopt);
  EXPECT_EQ(origin("https//x"), std::nullopt);
  EXPECT_EQ(origin("https://"), std::nullopt);
  EXPECT_EQ(origin("https://@"), std::nullopt);
  EXPECT_EQ(origin("HTTP://A@B@Host.Example?x"), "http://host.example");
}

TEST(FieldRules, ScreenBuckets) {
  events::Screen s{1920, 1080, 1.0};
  bucketScreen(s);
  EXPECT_EQ(s.width, 1900);
  EXPECT_EQ(s.height, 1000);
  EXPECT_EQ(s.dpr, 1.0);
  events::Screen phone{390, 844, 2.625};
  bucketScreen(phone);
  EXPECT_EQ(phone.width, 300);
  EXPECT_EQ(phone.height, 800);
  EXPECT_EQ(phone.dpr, 3.0);
  events::Screen odd{-5, 99, 0.5};
  bucketScreen(odd);
  EXPECT_EQ(odd.width, 0);
  EXPECT_EQ(odd.height, 0);
  EXPECT_EQ(odd.dpr, 1.0);
  events::Screen nan{100, 100, std::numeric_limits<double>::quiet_NaN()};
  bucketScreen(nan);
  EXPECT_EQ(nan.dpr, 1.0);
  events::Viewport v{1366, 657};
  bucketViewport(v);
  EXPECT_EQ(v.width, 1300);
  EXPECT_EQ(v.height, 600);
}

TEST(FieldRules, BucketsNeverIncreaseAndAreIdempotent) {
  for (int w = 0; w < 5000; w += 37) {
    events::Screen s{w, w / 2, 1.0 + w % 4};
    bucketScreen(s);
    EXPECT_LE(s.width, w);
    EXPECT_GT(s.width + kScreenBucketPx, w);
    EXPECT_EQ(s.width % kScreenBucketPx, 0);
    const events::Screen once = s;
    bucketScreen(s);
    EXPECT_EQ(s.width, once.width);
    EXPECT_EQ(s.height, once.height);
  }
}

}  // namespace
}  // namespace consentry::filters::policy
