#include "filters/consent/sources.h"

#include <gtest/gtest.h>

#include "filters/consent/cookie_header.h"

namespace consentry::filters::consent {
namespace {

using config::ConsentSource;
using config::ConsentSourceType;
using Outcome = SourceDecision::Outcome;

ConsentSource make(ConsentSourceType type) {
  ConsentSource s;
  s.type = type;
  return s;
}

Categories cats(bool a, bool m, bool f) {
  return {a, m, f};
}

TEST(KvCookie, GrantedRefusedAndVersion) {
  ConsentSource s = make(ConsentSourceType::Cookie);
  s.map = {{"analytics", {"analytics"}}, {"marketing", {"ads"}}};
  auto d = parseKvCookie(s, "analytics=1|ads=0|v=3");
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(true, false, false));
  EXPECT_EQ(d.policyVersion, 3);
  for (std::string_view word : {"1", "true", "YES", "granted"}) {
    EXPECT_TRUE(parseKvCookie(s, "analytics=" + std::string(word)).categories.analytics) << word;
  }
  for (std::string_view word : {"0", "false", "no", "denied", "", "11"}) {
    EXPECT_FALSE(parseKvCookie(s, "analytics=" + std::string(word)).categories.analytics) << word;
  }
}

TEST(KvCookie, CustomSeparatorsAndMultiKeyCategories) {
  ConsentSource s = make(ConsentSourceType::Cookie);
  s.pairSeparator = ",";
  s.kvSeparator = ":";
  s.versionKey = "rev";
  s.map = {{"analytics", {"stats", "perf"}}, {"marketing", {"ads"}}};
  auto partial = parseKvCookie(s, "stats:1,perf:0,ads:yes,rev:7");
  ASSERT_TRUE(partial.hasDecision());
  EXPECT_EQ(partial.categories, cats(false, true, false));
  EXPECT_EQ(partial.policyVersion, 7);
  EXPECT_EQ(parseKvCookie(s, "stats:1,perf:1").categories, cats(true, false, false));
}

TEST(KvCookie, DefaultMapWhenNoneConfigured) {
  ConsentSource s = make(ConsentSourceType::Cookie);
  EXPECT_EQ(parseKvCookie(s, "analytics=1|marketing=1|functional=0").categories,
            cats(true, true, false));
}

TEST(KvCookie, Malformed) {
  ConsentSource s = make(ConsentSourceType::Cookie);
  EXPECT_EQ(parseKvCookie(s, "").outcome, Outcome::Malformed);
  EXPECT_EQ(parseKvCookie(s, "analytics").outcome, Outcome::Malformed);
  EXPECT_EQ(parseKvCookie(s, "analytics=1|v=three").outcome, Outcome::Malformed);
  EXPECT_EQ(parseKvCookie(s, "=1").outcome, Outcome::Malformed);
}

TEST(JsonCookie, ValuesAndVersion) {
  ConsentSource s = make(ConsentSourceType::Cookie);
  s.format = config::CookieFormat::Json;
  s.map = {{"analytics", {"analytics"}}, {"marketing", {"ads"}}, {"functional", {"prefs"}}};
  auto d = parseJsonCookie(s, R"({"analytics":true,"ads":"granted","prefs":1,"v":"4"})");
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(true, true, true));
  EXPECT_EQ(d.policyVersion, 4);
  auto refused = parseJsonCookie(s, R"({"analytics":false,"ads":"denied","prefs":2,"v":5})");
  ASSERT_TRUE(refused.hasDecision());
  EXPECT_EQ(refused.categories, cats(false, false, false));
  EXPECT_EQ(refused.policyVersion, 5);
  EXPECT_EQ(parseJsonCookie(s, R"({"analytics":true,"x":{"ads":true}})").categories,
            cats(true, false, false));
}

TEST(JsonCookie, Malformed) {
  ConsentSource s = make(ConsentSourceType::Cookie);
  s.format = config::CookieFormat::Json;
  for (std::string_view bad : {"", "[1]", "{\"analytics\":true", "{\"analytics\":tru}",
                               "{\"analytics\":true} junk", "{\"v\":[1]}", "null",
                               // an invalid literal that starts like null (fuzzer finding: threw)
                               "{\"analytics\":true,\"ads\":\"x\",\"revv\":n}",
                               "{\"analytics\":nul}", "{\"analytics\":nulls}"}) {
    EXPECT_EQ(parseJsonCookie(s, bad).outcome, Outcome::Malformed) << bad;
  }
}

TEST(OneTrust, GroupsMapToCategories) {
  ConsentSource s = make(ConsentSourceType::OneTrust);
  s.map = {{"analytics", {"C0002"}}, {"marketing", {"C0004"}}};
  std::string raw =
      "isGpcEnabled=0&datestamp=Thu+Nov+27+2026&version=202310.1.0&isIABGlobal=false&"
      "interactionCount=1&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2C"
      "C0004%3A0&AwaitingReconsent=false";
  auto d = parseOneTrust(s, percentDecode(raw));
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(true, false, false));
  EXPECT_FALSE(d.policyVersion.has_value());
  auto all = parseOneTrust(s, "groups=C0001:1,C0002:1,C0004:1");
  EXPECT_EQ(all.categories, cats(true, true, false));
}

TEST(OneTrust, GpcReconsentAndNoInteraction) {
  ConsentSource s = make(ConsentSourceType::OneTrust);
  EXPECT_EQ(parseOneTrust(s, "isGpcEnabled=1&groups=C0002:1,C0004:1").categories,
            cats(true, false, false));
  EXPECT_EQ(parseOneTrust(s, "groups=C0002:1&AwaitingReconsent=true").outcome,
            Outcome::PolicyOutdated);
  EXPECT_EQ(parseOneTrust(s, "interactionCount=0&groups=C0002:1").outcome, Outcome::NoDecision);
  EXPECT_EQ(parseOneTrust(s, "groups=").outcome, Outcome::NoDecision);
}

TEST(OneTrust, Malformed) {
  ConsentSource s = make(ConsentSourceType::OneTrust);
  EXPECT_EQ(parseOneTrust(s, "version=6").outcome, Outcome::Malformed);
  EXPECT_EQ(parseOneTrust(s, "groups=C0002").outcome, Outcome::Malformed);
  EXPECT_EQ(parseOneTrust(s, "groups=C0002:yes").outcome, Outcome::Malformed);
}

TEST(Cookiebot, ParsesJsObject) {
  ConsentSource s = make(ConsentSourceType::Cookiebot);
  std::string raw =
      "{stamp:%27bHh3Zz0pOWy1Q%2Fkz4Dg%3D%3D%27%2Cnecessary:true%2Cpreferences:false%2C"
      "statistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:2%2Cutc:1700000000000%2C"
      "region:%27de%27}";
  auto d = parseCookiebot(s, percentDecode(raw));
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(true, false, false));
  EXPECT_EQ(d.policyVersion, 2);
  auto all = parseCookiebot(
      s, "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,ver:1}");
  EXPECT_EQ(all.categories, cats(true, true, true));
  auto none = parseCookiebot(s,
                             "{necessary:true,preferences:false,statistics:false,"
                             "marketing:false}");
  ASSERT_TRUE(none.hasDecision());
  EXPECT_EQ(none.categories, cats(false, false, false));
}

TEST(Cookiebot, MinusOneIsNoDecisionAndMalformed) {
  ConsentSource s = make(ConsentSourceType::Cookiebot);
  EXPECT_EQ(parseCookiebot(s, "-1").outcome, Outcome::NoDecision);
  for (std::string_view bad : {"", "{", "{statistics:true", "{statistics:'x}", "{}",
                               "{statistics:true} x", "{ver:'1',statistics:true}", "stats"}) {
    EXPECT_EQ(parseCookiebot(s, bad).outcome, Outcome::Malformed) << bad;
  }
}

TEST(CookieYes, CategoriesActionAndMalformed) {
  ConsentSource s = make(ConsentSourceType::CookieYes);
  std::string v =
      "consentid:eHl6,consent:yes,action:yes,necessary:yes,functional:no,analytics:yes,"
      "performance:no,advertisement:no,other:no";
  auto d = parseCookieYes(s, v);
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(true, false, false));
  EXPECT_EQ(
      parseCookieYes(s, "action:yes,analytics:yes,advertisement:yes,functional:yes").categories,
      cats(true, true, true));
  EXPECT_EQ(parseCookieYes(s, "consent:no,action:no,analytics:no").outcome, Outcome::NoDecision);
  EXPECT_EQ(parseCookieYes(s, "action:yes,analytics:maybe").outcome, Outcome::Malformed);
  EXPECT_EQ(parseCookieYes(s, "action:yes,analytics").outcome, Outcome::Malformed);
  EXPECT_EQ(parseCookieYes(s, "consentid:x").outcome, Outcome::Malformed);
}

TEST(CcCookie, V3CategoriesAndRevision) {
  ConsentSource s = make(ConsentSourceType::CcCookie);
  std::string raw =
      "%7B%22categories%22%3A%5B%22necessary%22%2C%22analytics%22%5D%2C%22revision%22%3A3%2C"
      "%22data%22%3Anull%2C%22services%22%3A%7B%22analytics%22%3A%5B%22ga%22%5D%7D%7D";
  auto d = parseCcCookie(s, percentDecode(raw));
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(true, false, false));
  EXPECT_EQ(d.policyVersion, 3);
}

TEST(CcCookie, V2LevelAndMalformed) {
  ConsentSource s = make(ConsentSourceType::CcCookie);
  s.map = {{"analytics", {"analytics"}}, {"marketing", {"targeting"}}};
  auto d = parseCcCookie(s, R"({"level":["necessary","targeting"],"revision":0})");
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, cats(false, true, false));
  EXPECT_EQ(d.policyVersion, 0);
  EXPECT_EQ(parseCcCookie(s, R"({"revision":1})").outcome, Outcome::Malformed);
  EXPECT_EQ(parseCcCookie(s, R"({"categories":"analytics"})").outcome, Outcome::Malformed);
  EXPECT_EQ(parseCcCookie(s, R"({"categories":[1]})").outcome, Outcome::Malformed);
}

TEST(Klaro, AllMappedServicesMustBeTrue) {
  ConsentSource s = make(ConsentSourceType::Klaro);
  s.map = {{"analytics", {"matomo", "google-analytics"}}, {"marketing", {"facebook-pixel"}}};
  auto partial = parseKlaro(s, R"({"matomo":true,"google-analytics":false,"facebook-pixel":true})");
  ASSERT_TRUE(partial.hasDecision());
  EXPECT_EQ(partial.categories, cats(false, true, false));
  auto granted = parseKlaro(s, percentDecode("%7B%22matomo%22%3Atrue%2C%22google-analytics%22%3A"
                                             "true%7D"));
  EXPECT_EQ(granted.categories, cats(true, false, false));
  EXPECT_EQ(parseKlaro(s, R"({"matomo":"yes"})").outcome, Outcome::Malformed);
  EXPECT_EQ(parseKlaro(s, R"(["matomo"])").outcome, Outcome::Malformed);
}

TEST(ParseCookieSource, DispatchesOnType) {
  ConsentSource s = make(ConsentSourceType::CookieYes);
  EXPECT_TRUE(parseCookieSource(s, "action:yes,analytics:yes").categories.analytics);
  s.type = ConsentSourceType::Tcf;
  EXPECT_EQ(parseCookieSource(s, "anything").outcome, Outcome::NoDecision);
}

}  // namespace
}  // namespace consentry::filters::consent
