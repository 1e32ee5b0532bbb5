#include "filters/consent/tcf_source.h"

#include <gtest/gtest.h>

namespace consentry::filters::consent::tcf {
namespace {

using namespace std::chrono;
using Outcome = SourceDecision::Outcome;

// 2025-06-01T00:00:00Z
const system_clock::time_point kNow = system_clock::time_point(seconds(1748736000));

int64_t ds(system_clock::time_point t) {
  return duration_cast<milliseconds>(t.time_since_epoch()).count() / 100;
}

uint32_t purposes(std::initializer_list<int> ids) {
  uint32_t m = 0;
  for (int id : ids) m |= 1u << (id - 1);
  return m;
}

// A string valid for a decision at kNow, consenting to every purpose, vendor 755 included.
TcString validString() {
  TcString tc;
  tc.created = tc.lastUpdated = ds(kNow - hours(24));
  tc.cmpId = 10;
  tc.tcfPolicyVersion = 4;
  tc.isServiceSpecific = true;
  tc.purposesConsent = purposes({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  tc.vendorConsents = {800, false, {1, 755}};
  return tc;
}

constexpr milliseconds kAge = hours(24 * 395);

TEST(TcfValidity, ValidBaseline) {
  EXPECT_EQ(checkValidity(validString(), kNow, kAge), Invalid::None);
}

TEST(TcfValidity, ServiceSpecificRequired) {
  TcString tc = validString();
  tc.isServiceSpecific = false;
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::NotServiceSpecific);
}

TEST(TcfValidity, PolicyVersionAtLeastFour) {
  TcString tc = validString();
  tc.tcfPolicyVersion = 3;
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::PolicyVersion);
  tc.tcfPolicyVersion = 4;
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::None);
}

TEST(TcfValidity, NoLegitimateInterestForPurposes3To6) {
  for (int p = 2; p <= 7; ++p) {
    TcString tc = validString();
    tc.purposesLITransparency = purposes({p});
    Invalid expect = (p >= 3 && p <= 6) ? Invalid::LiForPurposes3To6 : Invalid::None;
    EXPECT_EQ(checkValidity(tc, kNow, kAge), expect) << "purpose " << p;
  }
}

TEST(TcfValidity, DisclosedVendorsFromPolicy5OrTcf23Date) {
  TcString tc = validString();
  tc.tcfPolicyVersion = 5;
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::DisclosedVendorsMissing);
  tc.disclosedVendors = VendorSet{800, false, {755}};
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::None);

  // Policy 4 but created on 2026-02-28 (TCF 2.3): DV segment required.
  auto march = system_clock::time_point(seconds(1772236800 + 86400 * 5));
  TcString late = validString();
  late.created = kTcf23CreatedDeciseconds;
  late.lastUpdated = ds(march);
  EXPECT_EQ(checkValidity(late, march, kAge), Invalid::DisclosedVendorsMissing);
  late.created = kTcf23CreatedDeciseconds - 1;  // a tenth of a second earlier: not yet 2.3
  EXPECT_EQ(checkValidity(late, march, kAge), Invalid::None);
}

TEST(TcfValidity, AgeAndFuture) {
  TcString tc = validString();
  tc.lastUpdated = ds(kNow - kAge + minutes(1));
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::None);
  tc.lastUpdated = ds(kNow - kAge - minutes(1));
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::Expired);
  EXPECT_EQ(checkValidity(tc, kNow, kAge + hours(1)), Invalid::None);
  tc.lastUpdated = ds(kNow + minutes(2));
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::None);
  tc.lastUpdated = ds(kNow + minutes(10));
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::FromFuture);
}

TEST(TcfValidity, VersionCheckedFirst) {
  TcString tc = validString();
  tc.version = 3;
  EXPECT_EQ(checkValidity(tc, kNow, kAge), Invalid::Version);
}

config::ConsentSource tcfSource() {
  config::ConsentSource s;
  s.type = config::ConsentSourceType::Tcf;
  s.cookie = "euconsent-v2";
  return s;
}

TEST(TcfCategories, EveryConfiguredPurposeNeeded) {
  config::ConsentSource s = tcfSource();
  TcString tc = validString();
  EXPECT_EQ(categoriesFor(tc, s), (Categories{true, true, true}));
  tc.purposesConsent = purposes({1, 8, 9, 10});
  EXPECT_EQ(categoriesFor(tc, s), (Categories{true, false, true}));
  tc.purposesConsent = purposes({1, 8, 9});
  EXPECT_EQ(categoriesFor(tc, s), (Categories{false, false, true}));
  s.analyticsPurposes.clear();
  tc.purposesConsent = purposes({1, 8, 9, 10});
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
}

TEST(TcfCategories, LegitimateInterestOnlyWithAcceptLi) {
  config::ConsentSource s = tcfSource();
  TcString tc = validString();
  tc.purposesConsent = purposes({1, 8});
  tc.purposesLITransparency = purposes({9, 10});
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
  s.acceptLi = true;
  EXPECT_TRUE(categoriesFor(tc, s).analytics);
  // Purpose 1 can never rest on legitimate interest.
  tc.purposesConsent = purposes({8});
  tc.purposesLITransparency = purposes({1, 9, 10});
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
}

TEST(TcfCategories, VendorConsentAndRestrictions) {
  config::ConsentSource s = tcfSource();
  s.vendorId = 755;
  TcString tc = validString();
  EXPECT_TRUE(categoriesFor(tc, s).analytics);
  s.vendorId = 756;
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
  s.vendorId = 755;
  tc.pubRestrictions.push_back({9, 0, {700, 755}});  // purpose 9 not allowed for vendor 755
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
  EXPECT_TRUE(categoriesFor(tc, s).marketing);  // purposes 1, 3, 4 unaffected
  tc.pubRestrictions[0] = {9, 0, {700}};        // another vendor: no effect on ours
  EXPECT_TRUE(categoriesFor(tc, s).analytics);
  tc.pubRestrictions[0] = {9, 2, {755}};  // require LI: consent alone no longer counts
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
  s.acceptLi = true;
  tc.purposesLITransparency = purposes({9});
  tc.vendorLegitimateInterests = {800, true, {755}};
  EXPECT_TRUE(categoriesFor(tc, s).analytics);
  tc.pubRestrictions[0] = {10, 1, {755}};  // require consent on 10: LI on 10 would not count
  tc.purposesConsent &= ~purposes({10});
  tc.purposesLITransparency = purposes({10});
  EXPECT_FALSE(categoriesFor(tc, s).analytics);
}

TEST(TcfSource, OutcomesFromCookieValue) {
  config::ConsentSource s = tcfSource();
  std::string good = encodeTcString(validString()).value();
  auto d = parseTcfCookie(s, good, kNow);
  ASSERT_TRUE(d.hasDecision());
  EXPECT_TRUE(d.categories.analytics);
  EXPECT_EQ(parseTcfCookie(s, "not a tc string", kNow).outcome, Outcome::Malformed);
  EXPECT_EQ(parseTcfCookie(s, good, kNow + hours(24 * 400)).outcome, Outcome::Expired);
  TcString global = validString();
  global.isServiceSpecific = false;
  EXPECT_EQ(parseTcfCookie(s, encodeTcString(global).value(), kNow).outcome, Outcome::TcfInvalid);
}

}  // namespace
}  // namespace consentry::filters::consent::tcf
