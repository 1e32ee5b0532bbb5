#include "geo/strictest.h"

#include <gtest/gtest.h>

#include <vector>

namespace consentry::geo {
namespace {

using namespace config;

TEST(Strictest, NoPoliciesKeepsEverything) {
  const FieldPolicy p = strictestFieldPolicy({});
  const FieldPolicy keep;
  EXPECT_EQ(p.ip, IpRule::Keep);
  EXPECT_EQ(p.osVersion, keep.osVersion);
  EXPECT_EQ(p.location, LocationRule::Subdivision);
  EXPECT_EQ(p.referrer, ReferrerRule::Full);
}

TEST(Strictest, DropBeatsTruncateBeatsKeep) {
  FieldPolicy keep, trunc, drop;
  trunc.ip = IpRule::Truncate;
  trunc.ipV4Bits = 24;
  trunc.ipV6Bits = 48;
  drop.ip = IpRule::Drop;
  std::vector<FieldPolicy> kt = {keep, trunc};
  EXPECT_EQ(strictestFieldPolicy(kt).ip, IpRule::Truncate);
  EXPECT_EQ(strictestFieldPolicy(kt).ipV4Bits, 24);
  EXPECT_EQ(strictestFieldPolicy(kt).ipV6Bits, 48);
  std::vector<FieldPolicy> tdk = {trunc, drop, keep};
  EXPECT_EQ(strictestFieldPolicy(tdk).ip, IpRule::Drop);
  std::vector<FieldPolicy> dk = {drop, keep};
  EXPECT_EQ(strictestFieldPolicy(dk).ip, IpRule::Drop);
}

TEST(Strictest, ShorterPrefixWinsPerFamily) {
  FieldPolicy a, b;
  a.ip = b.ip = IpRule::Truncate;
  a.ipV4Bits = 24;
  a.ipV6Bits = 64;
  b.ipV4Bits = 16;
  b.ipV6Bits = 96;
  std::vector<FieldPolicy> ab = {a, b};
  const FieldPolicy p = strictestFieldPolicy(ab);
  EXPECT_EQ(p.ip, IpRule::Truncate);
  EXPECT_EQ(p.ipV4Bits, 16);
  EXPECT_EQ(p.ipV6Bits, 64);
}

TEST(Strictest, EveryFieldTakesItsStrictestRule) {
  FieldPolicy a, b, c;
  a.osVersion = VersionRule::Major;
  b.osVersion = VersionRule::Drop;
  a.browserVersion = VersionRule::Major;
  a.language = LanguageRule::Primary;
  b.screen = ScreenRule::Bucket;
  a.location = LocationRule::Country;
  c.location = LocationRule::Subdivision;
  b.referrer = ReferrerRule::Origin;
  c.path = KeepRule::Drop;
  a.visitor = KeepRule::Drop;
  b.props = KeepRule::Drop;
  std::vector<FieldPolicy> all = {a, b, c};
  const FieldPolicy p = strictestFieldPolicy(all);
  EXPECT_EQ(p.osVersion, VersionRule::Drop);
  EXPECT_EQ(p.browserVersion, VersionRule::Major);
  EXPECT_EQ(p.language, LanguageRule::Primary);
  EXPECT_EQ(p.screen, ScreenRule::Bucket);
  EXPECT_EQ(p.location, LocationRule::Country);
  EXPECT_EQ(p.referrer, ReferrerRule::Origin);
  EXPECT_EQ(p.path, KeepRule::Drop);
  EXPECT_EQ(p.visitor, KeepRule::Drop);
  EXPECT_EQ(p.props, KeepRule::Drop);
}

TEST(Strictest, OrderDoesNotMatter) {
  FieldPolicy a, b;
  a.language = LanguageRule::Drop;
  b.language = LanguageRule::Primary;
  a.screen = ScreenRule::Bucket;
  b.screen = ScreenRule::Drop;
  std::vector<FieldPolicy> ab = {a, b}, ba = {b, a};
  EXPECT_EQ(strictestFieldPolicy(ab).language, strictestFieldPolicy(ba).language);
  EXPECT_EQ(strictestFieldPolicy(ab).screen, strictestFieldPolicy(ba).screen);
  EXPECT_EQ(strictestFieldPolicy(ab).screen, ScreenRule::Drop);
}

TEST(Strictest, Gpc) {
  EXPECT_EQ(strictestGpc(GpcMode::Ignore, GpcMode::RefuseMarketing), GpcMode::RefuseMarketing);
  EXPECT_EQ(strictestGpc(GpcMode::RefuseAll, GpcMode::RefuseMarketing), GpcMode::RefuseAll);
  EXPECT_EQ(strictestGpc(GpcMode::Ignore, GpcMode::Ignore), GpcMode::Ignore);
}

}  // namespace
}  // namespace consentry::geo
