#include "filters/consent/evaluator.h"

#include <gtest/gtest.h>

#include <vector>

#include "filters/consent/tcf_string.h"

namespace consentry::filters::consent {
namespace {

using namespace std::chrono;
using config::ConsentSourceType;
const system_clock::time_point kNow = system_clock::time_point(seconds(1748736000));

config::ConsentSource kvSource() {
  config::ConsentSource s;
  s.type = ConsentSourceType::Cookie;
  s.cookie = "site_consent";
  s.map = {{"analytics", {"analytics"}}, {"marketing", {"ads"}}};
  return s;
}

config::ConsentSource tcfSource() {
  config::ConsentSource s;
  s.type = ConsentSourceType::Tcf;
  s.cookie = "euconsent-v2";
  return s;
}

std::string validTc(uint32_t purposesMask) {
  tcf::TcString tc;
  tc.created = tc.lastUpdated = (1748736000 - 86400) * int64_t{10};
  tc.tcfPolicyVersion = 4;
  tc.isServiceSpecific = true;
  tc.purposesConsent = purposesMask;
  return tcf::encodeTcString(tc).value();
}

config::Consent twoSources() {
  config::Consent c;
  c.sources = {kvSource(), tcfSource()};
  return c;
}

ConsentResult eval(const config::Consent& c, std::vector<HeaderField> headers) {
  return ConsentEvaluator(c).evaluate(headers, kNow);
}

TEST(ConsentEvaluator, NoSourcesMeansNoConsent) {
  auto r = eval(config::Consent{}, {{"Cookie", "site_consent=analytics=1"}});
  EXPECT_FALSE(r.analytics);
  EXPECT_EQ(r.reasonLabel(), "no_decision");
  EXPECT_TRUE(r.source.empty());
}

TEST(ConsentEvaluator, NoCookieNoDecision) {
  auto r = eval(twoSources(), {{"Cookie", "other=1"}, {"Sec-GPC", "1"}});
  EXPECT_FALSE(r.analytics || r.marketing || r.functional);
  EXPECT_EQ(r.reason, Reason::NoDecision);
}

TEST(ConsentEvaluator, FirstSourceWithDecisionWins) {
  std::string tcAll = validTc(0xffffff);
  auto r = eval(twoSources(),
                {{"Cookie", "euconsent-v2=" + tcAll}, {"Cookie", "site_consent=analytics=0|v=5"}});
  EXPECT_EQ(r.source, "cookie");
  EXPECT_FALSE(r.analytics);
  EXPECT_EQ(r.reason, Reason::Refused);
  EXPECT_EQ(r.policyVersion, 5);
  auto t = eval(twoSources(), {{"Cookie", "euconsent-v2=" + tcAll}});
  EXPECT_EQ(t.source, "tcf");
  EXPECT_TRUE(t.analytics && t.marketing && t.functional);
  EXPECT_EQ(t.reason, Reason::Granted);
}

TEST(ConsentEvaluator, MalformedFallsThroughAndIsReportedWhenNothingDecides) {
  std::string tc = validTc(0xffffff);
  auto r = eval(twoSources(), {{"Cookie", "site_consent=garbage; euconsent-v2=" + tc}});
  EXPECT_EQ(r.source, "tcf");
  EXPECT_TRUE(r.analytics);
  auto m = eval(twoSources(), {{"Cookie", "site_consent=garbage"}});
  EXPECT_FALSE(m.analytics);
  EXPECT_EQ(m.reasonLabel(), "malformed");
  auto bad = eval(twoSources(), {{"Cookie", "euconsent-v2=%%%"}});
  EXPECT_EQ(bad.reasonLabel(), "malformed");
}

TEST(ConsentEvaluator, TcfInvalidAndExpiredReasons) {
  tcf::TcString tc;
  tc.created = tc.lastUpdated = (1748736000 - 86400) * int64_t{10};
  tc.tcfPolicyVersion = 2;
  tc.isServiceSpecific = true;
  tc.purposesConsent = 0xffffff;
  auto r = eval(twoSources(), {{"Cookie", "euconsent-v2=" + tcf::encodeTcString(tc).value()}});
  EXPECT_FALSE(r.analytics);
  EXPECT_EQ(r.reasonLabel(), "tcf_invalid");
  tc.tcfPolicyVersion = 4;
  tc.lastUpdated = (1748736000 - 400 * 86400) * int64_t{10};
  auto e = eval(twoSources(), {{"Cookie", "euconsent-v2=" + tcf::encodeTcString(tc).value()}});
  EXPECT_FALSE(e.analytics);
  EXPECT_EQ(e.reasonLabel(), "expired");
}

TEST(ConsentEvaluator, OversizedCookieIsNoConsent) {
  auto r =
      eval(twoSources(), {{"Cookie", "site_consent=analytics=1|pad=" + std::string(9000, 'x')}});
  EXPECT_FALSE(r.analytics);
  EXPECT_EQ(r.reasonLabel(), "oversized");
}

TEST(ConsentEvaluator, PercentDecodedOnce) {
  auto r = eval(twoSources(), {{"Cookie", "site_consent=analytics%3D1%7Cv%3D3"}});
  EXPECT_TRUE(r.analytics);
  EXPECT_EQ(r.policyVersion, 3);
  // Doubly encoded: one decode leaves "%3D", which is no kv separator.
  auto twice = eval(twoSources(), {{"Cookie", "site_consent=analytics%253D1"}});
  EXPECT_FALSE(twice.analytics);
}

TEST(ConsentEvaluator, MinPolicyVersion) {
  config::Consent c = twoSources();
  c.minPolicyVersion = 3;
  auto old = eval(c, {{"Cookie", "site_consent=analytics=1|ads=1|v=2"}});
  EXPECT_FALSE(old.analytics || old.marketing);
  EXPECT_EQ(old.reasonLabel(), "policy_outdated");
  EXPECT_EQ(old.policyVersion, 2);
  auto current = eval(c, {{"Cookie", "site_consent=analytics=1|v=3"}});
  EXPECT_TRUE(current.analytics);
  // A source without a policy version (TCF) is not held to one.
  auto tcf = eval(c, {{"Cookie", "euconsent-v2=" + validTc(0xffffff)}});
  EXPECT_TRUE(tcf.analytics);
}

TEST(ConsentEvaluator, RequiredCookie) {
  config::Consent c = twoSources();
  c.require = {{"age_verified", "1"}};
  auto missing = eval(c, {{"Cookie", "site_consent=analytics=1"}});
  EXPECT_FALSE(missing.analytics);
  EXPECT_EQ(missing.reasonLabel(), "required_cookie_missing");
  auto wrong = eval(c, {{"Cookie", "site_consent=analytics=1; age_verified=0"}});
  EXPECT_EQ(wrong.reasonLabel(), "required_cookie_missing");
  auto ok = eval(c, {{"Cookie", "site_consent=analytics=1"}, {"Cookie", "age_verified=1"}});
  EXPECT_TRUE(ok.analytics);
  EXPECT_EQ(ok.reasonLabel(), "granted");
}

TEST(ConsentEvaluator, GpcOnlyTakesAway) {
  config::Consent c = twoSources();
  std::vector<HeaderField> all = {{"Cookie", "site_consent=analytics=1|ads=1"}, {"sec-gpc", "1"}};
  c.gpc = config::GpcMode::Ignore;
  auto ignored = eval(c, all);
  EXPECT_TRUE(ignored.analytics && ignored.marketing);
  c.gpc = config::GpcMode::RefuseMarketing;
  auto noAds = eval(c, all);
  EXPECT_TRUE(noAds.analytics);
  EXPECT_FALSE(noAds.marketing);
  EXPECT_EQ(noAds.reasonLabel(), "granted");
  c.gpc = config::GpcMode::RefuseAll;
  auto none = eval(c, all);
  EXPECT_FALSE(none.analytics || none.marketing || none.functional);
  EXPECT_EQ(none.reasonLabel(), "gpc");
  // GPC never grants: with a refusal it stays a refusal.
  auto refused = eval(c, {{"Cookie", "site_consent=analytics=0"}, {"Sec-GPC", "1"}});
  EXPECT_EQ(refused.reasonLabel(), "refused");
  // Sec-GPC other than 1 is not a signal.
  auto zero = eval(c, {{"Cookie", "site_consent=analytics=1|ads=1"}, {"Sec-GPC", "0"}});
  EXPECT_TRUE(zero.analytics && zero.marketing);
}

TEST(ConsentEvaluator, EveryVendorSourceThroughTheEvaluator) {
  struct Case {
    ConsentSourceType type;
    const char* cookie;
    const char* value;
    const char* name;
  };
  const Case cases[] = {
      {ConsentSourceType::OneTrust, "OptanonConsent", "groups=C0001%3A1%2CC0002%3A1", "onetrust"},
      {ConsentSourceType::Cookiebot, "CookieConsent",
       "{necessary:true%2Cstatistics:true%2Cmarketing:false%2Cver:4}", "cookiebot"},
      {ConsentSourceType::CookieYes, "cookieyes-consent", "action:yes,analytics:yes", "cookieyes"},
      {ConsentSourceType::CcCookie, "cc_cookie",
       "%7B%22categories%22%3A%5B%22analytics%22%5D%2C%22revision%22%3A4%7D", "cc_cookie"},
      {ConsentSourceType::Klaro, "klaro", "%7B%22analytics%22%3Atrue%7D", "klaro"},
  };
  for (const Case& k : cases) {
    config::Consent c;
    config::ConsentSource s;
    s.type = k.type;
    s.cookie = k.cookie;
    c.sources = {s};
    c.minPolicyVersion = 4;
    auto r = eval(c, {{"Cookie", std::string(k.cookie) + "=" + k.value}});
    EXPECT_TRUE(r.analytics) << k.name << " " << r.reasonLabel();
    EXPECT_EQ(r.source, k.name);
  }
}

// Each thread remembers the last cookie decision per evaluator: two live evaluators (an old and
// a reloaded config) mapping the same cookie differently must each keep their own answer, and a
// changed cookie value must be decided afresh.
TEST(ConsentEvaluator, RememberedDecisionsStayPerEvaluatorAndValue) {
  config::Consent grantsOnAnalytics = twoSources();
  config::Consent grantsOnStats = twoSources();
  grantsOnStats.sources[0].map = {{"analytics", {"stats"}}};
  const ConsentEvaluator a(grantsOnAnalytics);
  const ConsentEvaluator b(grantsOnStats);
  std::vector<HeaderField> headers = {{"Cookie", "site_consent=analytics=1|stats=0"}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(a.evaluate(headers, kNow).analytics);
    EXPECT_FALSE(b.evaluate(headers, kNow).analytics);
  }
  headers[0].value = "site_consent=analytics=0|stats=1";
  EXPECT_FALSE(a.evaluate(headers, kNow).analytics);
  EXPECT_TRUE(b.evaluate(headers, kNow).analytics);
  EXPECT_TRUE(b.evaluate(headers, kNow).analytics);
}

TEST(ReasonName, AllDistinctSnakeCase) {
  std::vector<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Reason::Oversized); ++i) {
    std::string_view n = reasonName(static_cast<Reason>(i));
    for (char ch : n) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << n;
    for (std::string_view seen : names) EXPECT_NE(seen, n);
    names.push_back(n);
  }
}

}  // namespace
}  // namespace consentry::filters::consent
