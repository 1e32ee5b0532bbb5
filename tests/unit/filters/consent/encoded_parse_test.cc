// The parsers that read a consent cookie as sent (still percent-encoded) must decide exactly as
// the full parse of the decoded value: checked on realistic values, then on randomized ones
// (reordered and repeated items, mutated keys, malformed items, escapes of every separator).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "filters/consent/cookie_header.h"
#include "filters/consent/sources.h"

namespace consentry::filters::consent {
namespace {

using config::ConsentSource;
using config::ConsentSourceType;
using Outcome = SourceDecision::Outcome;

ConsentSource oneTrust() {
  ConsentSource s;
  s.type = ConsentSourceType::OneTrust;
  s.cookie = "OptanonConsent";
  return s;
}

void expectSame(const SourceDecision& fast, const SourceDecision& full, const std::string& raw) {
  EXPECT_EQ(fast.outcome, full.outcome) << raw;
  EXPECT_EQ(fast.categories, full.categories) << raw;
  EXPECT_EQ(fast.policyVersion, full.policyVersion) << raw;
}

ConsentSource cookiebot() {
  ConsentSource s;
  s.type = ConsentSourceType::Cookiebot;
  s.cookie = "CookieConsent";
  return s;
}

void expectOneTrustSame(const ConsentSource& s, const std::string& raw) {
  expectSame(parseOneTrustEncoded(s, raw), parseOneTrust(s, percentDecode(raw)), raw);
}

void expectCookiebotSame(const ConsentSource& s, const std::string& raw) {
  expectSame(parseCookiebotEncoded(s, raw), parseCookiebot(s, percentDecode(raw)), raw);
}

// Random edits: a byte of `alphabet` replacing, inserted before or removed from a random
// position, up to twice.
void mutate(std::string& out, std::mt19937& rng, std::string_view alphabet) {
  for (size_t m = rng() % 3; m > 0 && !out.empty(); --m) {
    const size_t at = rng() % out.size();
    switch (rng() % 3) {
      case 0:
        out[at] = alphabet[rng() % alphabet.size()];
        break;
      case 1:
        out.insert(at, 1, alphabet[rng() % alphabet.size()]);
        break;
      default:
        out.erase(at, 1);
    }
  }
}

TEST(OneTrustEncoded, RealisticValues) {
  const ConsentSource s = oneTrust();
  const std::string value =
      "isGpcEnabled=0&datestamp=Mon+Nov+02+2026+10%3A15%3A00+GMT%2B0100&version=202310.1.0&"
      "consentId=1234&interactionCount=1&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2CC0004%3A1&"
      "AwaitingReconsent=false";
  const SourceDecision d = parseOneTrustEncoded(s, value);
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, (Categories{true, true, false}));
  expectOneTrustSame(s, value);
  // Each key the decision reads, escaped in the key, in the value, or with escaped spaces.
  for (const char* raw : {
           "groups=C0002%3A1&isGpcEnabled=%31",
           "gr%6Fups=C0002%3A1%2CC0004%3A1",
           "groups=%20C0002%3A1%20&AwaitingReconsent=tru%65",
           "groups%3DC0002%3A1",                 // '=' escaped: no groups item at all
           "groups=C0002%3A1%26isGpcEnabled=1",  // '&' escaped: one groups item
           "groups=C0002%3A1&interactionCount=%30",
           "groups=C0002%3a1%2cC0004%3a1",  // lower-case hex
           "groups=C0002%3A1%2CC0004%3A%",  // a broken escape stays literal
           "groups=C0002%253A1",            // decoded once: "%3A" stays
           "%20groups%09=C0002:1",
           "groups=C0002:1&groups=",
           "groups=&groups=C0002:1",
           "version=6",
           "groups=C0002:yes",
           // Groups in the plain encoded shape (read without decoding) and next to it.
           "groups=C0001%3A1%2CC0002%3a0%2cC0004%3A1",
           "groups=C0001%3A1%2C",
           "groups=C0001%3A1%2C%2CC0002%3A1",
           "groups=C0002%3A%31",
           "groups=C%30002%3A1",
           "groups=C0002%3A1%20",
           "groups=%20C0002%3A1",
           "groups=C0002%3A1%2C%20C0004%3A0",
           "groups=C0002%3A10",
           "groups=C0002%3A",
           "groups=%3A1",
           "groups=C0002%3B1",
           "groups=C0002%3A1%2D",
           "groups=C0002%3A1%2CC0004:0,C0003%3A1",
           "groups=%20",
           "groups=C0002%3A1&groups=C0004:1",
           "groups=C0004:1&groups=C0002%3A1",
       }) {
    expectOneTrustSame(s, raw);
  }
  EXPECT_EQ(parseOneTrustEncoded(s, "groups%3DC0002%3A1").categories,
            (Categories{true, false, false}));
  EXPECT_EQ(parseOneTrustEncoded(s, "groups=C0002%3A1%2CC0004%3A1%26isGpcEnabled=1").categories,
            (Categories{true, false, false}));
  EXPECT_EQ(parseOneTrustEncoded(s, "groups=C0002%253A1").outcome, Outcome::Malformed);
}

// Fragments the random values are made of: separators literal and escaped, keys the decision
// reads (also mutated), keys it ignores, values valid and not.
const std::vector<std::string> kOneTrustKeys = {"groups",
                                                "AwaitingReconsent",
                                                "isGpcEnabled",
                                                "interactionCount",
                                                "consentId",
                                                "datestamp",
                                                "version",
                                                "gr%6Fups",
                                                "Groups",
                                                "groups ",
                                                " groups",
                                                "%20groups",
                                                "groups%20",
                                                "group",
                                                "isGpcEnabled%3D1",
                                                "",
                                                "%",
                                                "interactionCount%26groups"};
const std::vector<std::string> kOneTrustValues = {"1",
                                                  "0",
                                                  "true",
                                                  "false",
                                                  "%31",
                                                  "%30",
                                                  "tru%65",
                                                  " 1",
                                                  "%201",
                                                  "1%20",
                                                  "",
                                                  "%",
                                                  "Mon+Nov+02+2026+10%3A15%3A00+GMT%2B0100",
                                                  "202310.1.0",
                                                  "1234567890",
                                                  "a=b",
                                                  "x%3Dy"};
const std::vector<std::string> kGroupItems = {
    "C0001:1",   "C0002:1",      "C0003:0",
    "C0004:1",   "C0002:0",      "C0004:0",
    "C0001%3A1", "C0002%3A1",    "C0004%3a0",
    "C0003%3A0", "C0002",        "C0002:yes",
    "C0002:%31", "%20C0002%3A1", ":1",
    "C0002:1%",  "C0002%253A1",  "C0002:1%26isGpcEnabled=1",
    ""};
const std::vector<std::string> kGroupSeps = {",", "%2C", "%2c", ", ", "%2C%20"};
const std::vector<std::string> kItemSeps = {"&", "&", "&", "%26", "&&", " & "};
const std::vector<std::string> kPairSeps = {"=", "=", "=", "%3D", " = ", "=="};

std::string randomOneTrust(std::mt19937& rng) {
  auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[rng() % v.size()];
  };
  std::string out;
  const size_t items = rng() % 7;
  for (size_t i = 0; i < items; ++i) {
    if (i > 0) out += pick(kItemSeps);
    const bool groups = rng() % 3 == 0;
    out +=
        groups ? std::string(rng() % 4 == 0 ? pick(kOneTrustKeys) : "groups") : pick(kOneTrustKeys);
    if (rng() % 10 != 0) out += pick(kPairSeps);  // else an item without '='
    if (groups) {
      const size_t n = rng() % 5;
      for (size_t g = 0; g < n; ++g) {
        if (g > 0) out += pick(kGroupSeps);
        out += pick(kGroupItems);
      }
    } else {
      out += pick(kOneTrustValues);
    }
  }
  mutate(out, rng, "&=%,:;0123456789ACDadf +\t");
  return out;
}

TEST(OneTrustEncoded, DecidesAsTheFullParseOnRandomValues) {
  ConsentSource s = oneTrust();
  ConsentSource mapped = oneTrust();
  mapped.map = {{"analytics", {"C0002", "C0003"}}, {"marketing", {"C0004"}}};
  std::mt19937 rng(20261207);
  size_t decided = 0, malformed = 0, other = 0;
  for (int i = 0; i < 100000; ++i) {
    const std::string raw = randomOneTrust(rng);
    expectOneTrustSame(s, raw);
    expectOneTrustSame(mapped, raw);
    const Outcome o = parseOneTrust(s, percentDecode(raw)).outcome;
    (o == Outcome::Decided ? decided : o == Outcome::Malformed ? malformed : other)++;
    if (HasFailure()) break;
  }
  // The generator reaches every outcome often (a test that only met malformed input would
  // prove little).
  EXPECT_GT(decided, 5000u);
  EXPECT_GT(malformed, 5000u);
  EXPECT_GT(other, 5000u);
}

TEST(CookiebotEncoded, RealisticValues) {
  const ConsentSource s = cookiebot();
  const std::string value =
      "{stamp:%27bHh3Zz0pOWy1Q%2Fkz4Dg%3D%3D%27%2Cnecessary:true%2Cpreferences:false%2C"
      "statistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:2%2Cutc:1700000000000%2C"
      "region:%27de%27}";
  const SourceDecision d = parseCookiebotEncoded(s, value);
  ASSERT_TRUE(d.hasDecision());
  EXPECT_EQ(d.categories, (Categories{true, false, false}));
  EXPECT_EQ(d.policyVersion, 2);
  expectCookiebotSame(s, value);
  for (const char* raw : {
           "-1",
           "%2D1",
           " -1%20",
           "%20%7Bstatistics%3Atrue%7D%09",
           "{'statistics':true,\"marketing\":true}",
           "{%27st%61tistics%27:true%2Cver:%31}",
           "{stamp:%27a%2527b%27,statistics:true}",  // %25 decodes to '%', not a quote
           "{stamp:%27a%22b%27,statistics:true}",    // the other quote inside a string
           "{stamp:\"a%27b\",statistics:true}",
           "{stamp:%27ab,statistics:true}",  // unterminated
           "{statistics:tr%75e%2C%2Cmarketing:true}",
           "{statistics:true%7D",
           "{ver:%271%27,statistics:true}",
           "{statistics%20:true}",
           "{statistics\t:true}",
           "{statistics:true}%",
           "{statistics:true%",
           "{}",
           "%7B%7D",
       }) {
    expectCookiebotSame(s, raw);
  }
  EXPECT_EQ(parseCookiebotEncoded(s, "%2D1").outcome, Outcome::NoDecision);
  EXPECT_EQ(parseCookiebotEncoded(s, "{stamp:%27ab,statistics:true}").outcome, Outcome::Malformed);
  EXPECT_EQ(parseCookiebotEncoded(s, "{%27st%61tistics%27:true%2Cver:%31}").policyVersion, 1);
}

const std::vector<std::string> kCookiebotKeys = {"stamp",
                                                 "necessary",
                                                 "preferences",
                                                 "statistics",
                                                 "marketing",
                                                 "method",
                                                 "ver",
                                                 "utc",
                                                 "region",
                                                 "'statistics'",
                                                 "\"marketing\"",
                                                 "%27statistics%27",
                                                 "st%61tistics",
                                                 "%22ver%22",
                                                 "ver%20",
                                                 " statistics",
                                                 "statistics\t",
                                                 "",
                                                 "'",
                                                 "%7B",
                                                 "%"};
const std::vector<std::string> kCookiebotValues = {
    "true",      "false",    "true",      "false", "%74rue", "fals%65", "'x'", "%27explicit%27",
    "\"x%2Cy\"", "%22de%22", "1",         "2",     "-1",     "%31",     "'1'", "1700000000000",
    "",          "tr ue",    "'a%2527b'", "%27a'", "{",      "%7D",     "%2C", "true%20",
    "%20true"};
const std::vector<std::string> kCookiebotSeps = {",", ",", "%2C", "%2c", ", ", "%2C%20", "%09,"};
const std::vector<std::string> kCookiebotColons = {":", ":", "%3A", "%3a", " : ", "%20:"};

std::string randomCookiebot(std::mt19937& rng) {
  auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[rng() % v.size()];
  };
  std::string out = rng() % 4 == 0 ? "%7B" : "{";
  const size_t items = rng() % 8;
  for (size_t i = 0; i < items; ++i) {
    if (i > 0) out += pick(kCookiebotSeps);
    out += pick(kCookiebotKeys);
    out += pick(kCookiebotColons);
    out += pick(kCookiebotValues);
  }
  out += rng() % 4 == 0 ? "%7D" : "}";
  if (rng() % 8 == 0) out = "%20" + out + " ";
  mutate(out, rng, "{}:,'\"%27C3Aaet1- \t");
  return out;
}

TEST(CookiebotEncoded, DecidesAsTheFullParseOnRandomValues) {
  ConsentSource s = cookiebot();
  ConsentSource mapped = cookiebot();
  mapped.map = {{"analytics", {"statistics", "ver"}}, {"marketing", {"marketing"}}};
  std::mt19937 rng(20261207);
  size_t decided = 0, malformed = 0;
  for (int i = 0; i < 100000; ++i) {
    const std::string raw = randomCookiebot(rng);
    expectCookiebotSame(s, raw);
    expectCookiebotSame(mapped, raw);
    const Outcome o = parseCookiebot(s, percentDecode(raw)).outcome;
    (o == Outcome::Decided ? decided : malformed)++;
    if (HasFailure()) break;
  }
  EXPECT_GT(decided, 5000u);
  EXPECT_GT(malformed, 5000u);
}

}  // namespace
}  // namespace consentry::filters::consent
