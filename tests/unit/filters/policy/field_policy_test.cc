#include "filters/policy/field_policy.h"

#include <gtest/gtest.h>

namespace consentry::filters::policy {
namespace {

using namespace config;

events::Event fullEvent() {
  events::Event e;
  e.country = "DE";
  e.subdivision = "DE-BE";
  e.ip = IpAddress::parse("203.0.113.77");
  e.osName = "Windows";
  e.osVersion = "10.0.19045";
  e.browserName = "Chrome";
  e.browserVersion = "131.0.6778.86";
  e.language = "de-DE";
  e.screen = events::Screen{1920, 1080, 1.25};
  e.viewport = events::Viewport{1903, 950};
  e.host = "example.com";
  e.path = "/pricing";
  e.referrer = "https://search.example/q?x=1";
  e.visitor = "0190b3c1-visitor";
  e.props = std::vector<std::pair<std::string, events::PropValue>>{{"plan", std::string("pro")}};
  return e;
}

TEST(FieldPolicy, DefaultKeepsEverything) {
  events::Event e = fullEvent();
  applyFieldPolicy(FieldPolicy{}, e);
  const events::Event orig = fullEvent();
  EXPECT_EQ(e.ip, orig.ip);
  EXPECT_EQ(e.osVersion, orig.osVersion);
  EXPECT_EQ(e.language, orig.language);
  EXPECT_EQ(e.screen->width, 1920);
  EXPECT_EQ(e.subdivision, orig.subdivision);
  EXPECT_EQ(e.referrer, orig.referrer);
  EXPECT_EQ(e.path, orig.path);
  EXPECT_EQ(e.visitor, orig.visitor);
  EXPECT_TRUE(e.props.has_value());
}

TEST(FieldPolicy, GdprLikeReduction) {
  FieldPolicy p;
  p.ip = IpRule::Truncate;
  p.ipV4Bits = 24;
  p.ipV6Bits = 48;
  p.osVersion = p.browserVersion = VersionRule::Major;
  p.language = LanguageRule::Primary;
  p.screen = ScreenRule::Bucket;
  p.location = LocationRule::Country;
  p.referrer = ReferrerRule::Origin;
  events::Event e = fullEvent();
  applyFieldPolicy(p, e);
  EXPECT_EQ(e.ip->toString(), "203.0.113.0");
  EXPECT_EQ(e.osVersion, "10");
  EXPECT_EQ(e.browserVersion, "131");
  EXPECT_EQ(e.osName, "Windows");
  EXPECT_EQ(e.language, "de");
  EXPECT_EQ(e.screen->width, 1900);
  EXPECT_EQ(e.viewport->width, 1900);
  EXPECT_EQ(e.country, "DE");
  EXPECT_FALSE(e.subdivision.has_value());
  EXPECT_EQ(e.referrer, "https://search.example");
  EXPECT_EQ(e.path, "/pricing");
}

TEST(FieldPolicy, DropRemovesEveryDroppableField) {
  FieldPolicy p;
  p.ip = IpRule::Drop;
  p.osVersion = p.browserVersion = VersionRule::Drop;
  p.language = LanguageRule::Drop;
  p.screen = ScreenRule::Drop;
  p.location = LocationRule::Drop;
  p.referrer = ReferrerRule::Drop;
  p.path = p.visitor = p.props = KeepRule::Drop;
  events::Event e = fullEvent();
  applyFieldPolicy(p, e);
  EXPECT_FALSE(e.ip || e.osVersion || e.browserVersion || e.language || e.screen || e.viewport ||
               e.country || e.subdivision || e.referrer || e.path || e.visitor || e.props);
  EXPECT_EQ(e.osName, "Windows");  // names are not version data
  EXPECT_EQ(e.host, "example.com");
}

TEST(FieldPolicy, TruncationOfIpv6AndMappedAddresses) {
  FieldPolicy p;
  p.ip = IpRule::Truncate;
  p.ipV4Bits = 24;
  p.ipV6Bits = 48;
  events::Event e;
  e.ip = IpAddress::parse("2001:db8:abcd:1234:5678::1");
  applyFieldPolicy(p, e);
  EXPECT_EQ(e.ip->toString(), "2001:db8:abcd::");
  // A v4-mapped address gets the v4 prefix: 48 v6 bits would keep every v4 bit.
  e.ip = IpAddress::parse("::ffff:198.51.100.23");
  applyFieldPolicy(p, e);
  EXPECT_TRUE(e.ip->isV4());
  EXPECT_EQ(e.ip->toString(), "198.51.100.0");
}

TEST(FieldPolicy, UnreducibleValuesAreDroppedNotKept) {
  FieldPolicy p;
  p.language = LanguageRule::Primary;
  p.referrer = ReferrerRule::Origin;
  p.osVersion = VersionRule::Major;
  events::Event e;
  e.language = "*";
  e.referrer = "/just/a/path?email=x";
  e.osVersion = "";
  applyFieldPolicy(p, e);
  EXPECT_FALSE(e.language.has_value());
  EXPECT_FALSE(e.referrer.has_value());
  EXPECT_FALSE(e.osVersion.has_value());
}

TEST(FieldPolicy, AbsentFieldsStayAbsent) {
  FieldPolicy p;
  p.ip = IpRule::Truncate;
  p.ipV4Bits = 8;
  p.screen = ScreenRule::Bucket;
  p.referrer = ReferrerRule::Origin;
  events::Event e;
  applyFieldPolicy(p, e);
  EXPECT_FALSE(e.ip || e.screen || e.referrer || e.language);
}

}  // namespace
}  // namespace consentry::filters::policy
