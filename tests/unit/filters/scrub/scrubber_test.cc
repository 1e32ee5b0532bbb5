#include "filters/scrub/scrubber.h"

#include <gtest/gtest.h>

#include <random>

#include "filters/scrub/url_masks.h"
#include "tests/unit/filters/scrub/url_pieces.h"

namespace consentry::filters::scrub {
namespace {

Scrubber defaultScrubber() {
  return Scrubber(config::Privacy{});
}

std::string url(std::string in) {
  defaultScrubber().scrubUrl(in);
  return in;
}

std::string text(std::string in) {
  defaultScrubber().scrubText(in);
  return in;
}

TEST(Scrubber, QueryParamsAreRedactedCaseInsensitively) {
  EXPECT_EQ(url("/signup?email=a@b.co&plan=pro"), "/signup?email=[redacted]&plan=pro");
  EXPECT_EQ(url("/x?EMAIL=someone&Token=abc"), "/x?EMAIL=[redacted]&Token=[redacted]");
  EXPECT_EQ(url("/x?plan=pro&password=hunter2#top"), "/x?plan=pro&password=[redacted]#top");
  EXPECT_EQ(url("/x?user[email]=q&ids[]=1"), "/x?user[email]=[redacted]&ids[]=1");
  EXPECT_EQ(url("/x?session=&a=1"), "/x?session=&a=1");  // nothing to hide
  EXPECT_EQ(url("/x?emailx=1"), "/x?emailx=1");
}

TEST(Scrubber, PercentEncodedNamesAndValuesAreCaught) {
  EXPECT_EQ(url("/x?%65mail=abc"), "/x?%65mail=[redacted]");
  EXPECT_EQ(url("/x?e%6Dail=abc"), "/x?e%6Dail=[redacted]");
  EXPECT_EQ(url("/x?contact=a%40b.com"), "/x?contact=[redacted]");
  EXPECT_EQ(url("/x?contact=mail%3Aa%2540b.com"), "/x?contact=mail%3A[redacted]");
  EXPECT_EQ(url("/x?q=call+%2B49+30+12345678+now"), "/x?q=call%20[redacted]%20now");
  EXPECT_EQ(url("/users/jane%40doe.dev/edit"), "/users/[redacted]/edit");
}

TEST(Scrubber, PiiInPathSegmentsAndFragments) {
  EXPECT_EQ(url("/users/jane@doe.dev/profile"), "/users/[redacted]/profile");
  EXPECT_EQ(url("/pay/4111-1111-1111-1111/ok"), "/pay/[redacted]/ok");
  EXPECT_EQ(url("/iban/DE89370400440532013000"), "/iban/[redacted]");
  EXPECT_EQ(url("/#/login?email=x&next=/a"), "/#/login?email=[redacted]&next=/a");
  EXPECT_EQ(url("/a#mail=jane@doe.dev"), "/a#mail=[redacted]");
}

TEST(Scrubber, Referrers) {
  EXPECT_EQ(url("https://search.example/?q=jane@doe.dev"), "https://search.example/?q=[redacted]");
  EXPECT_EQ(url("http://192.168.1.20:8080/admin"), "http://[redacted]:8080/admin");
  EXPECT_EQ(url("https://user:secret@host.example/"), "https://user:[redacted]/");
}

TEST(Scrubber, CleanUrlsAreUntouched) {
  for (const char* clean :
       {"/", "/pricing", "/blog/2026-11-29/title?page=2&sort=asc", "https://example.com/a?b=c#d",
        "/v1.2.3/docs", "/search?q=50%25+off", "/items/123456789?ref=home", "/x?%zz=1"}) {
    std::string s = clean;
    EXPECT_FALSE(defaultScrubber().scrubUrl(s)) << clean;
    EXPECT_EQ(s, clean);
  }
}

TEST(Scrubber, RedactedComponentsCannotChangeUrlStructure) {
  // The decoded value contains '&' and '=': re-encoding keeps them inside the value.
  EXPECT_EQ(url("/x?q=a%26b%3Dc+jane%40doe.dev"), "/x?q=a%26b%3Dc%20[redacted]");
}

TEST(Scrubber, TextProps) {
  EXPECT_EQ(text("write to jane@doe.dev or +44 20 7946 0958"), "write to [redacted] or [redacted]");
  EXPECT_EQ(text("card 4111 1111 1111 1111"), "card [redacted]");
  EXPECT_EQ(text("plain value"), "plain value");
  EXPECT_EQ(text("/path?token=abc"), "/path?token=[redacted]");
  EXPECT_EQ(text("a%40b.com"), "[redacted]");
}

TEST(Scrubber, ManyMatchesAreAllRedacted) {
  std::string s;
  for (int i = 0; i < 100; ++i) s += "u" + std::to_string(i) + "@example.com ";
  defaultScrubber().scrubText(s);
  EXPECT_EQ(s.find('@'), std::string::npos);
  std::string u = "/x?q=";
  for (int i = 0; i < 50; ++i) u += "u" + std::to_string(i) + "%40example.com+";
  defaultScrubber().scrubUrl(u);
  EXPECT_EQ(u.find("%40"), std::string::npos);
  EXPECT_EQ(u.find("example"), std::string::npos);
}

TEST(Scrubber, ConfiguredDetectorsOnly) {
  config::Privacy p;
  p.scrubQueryParams = {"ref"};
  p.detectors = {"email"};
  Scrubber s(p);
  std::string u = "/x?ref=abc&token=t&ip=10.1.2.3&m=jane@doe.dev";
  EXPECT_TRUE(s.scrubUrl(u));
  EXPECT_EQ(u, "/x?ref=[redacted]&token=t&ip=10.1.2.3&m=[redacted]");
  Scrubber none(std::vector<std::string>{}, DetectorSet());
  std::string t = "jane@doe.dev";
  EXPECT_FALSE(none.scrubText(t));
}

TEST(Scrubber, Event) {
  events::Event e;
  e.path = "/signup?email=jane@doe.dev";
  e.referrer = "https://mail.example/inbox/jane@doe.dev";
  e.props = std::vector<std::pair<std::string, events::PropValue>>{
      {"note", std::string("call +1 415 555 2671")},
      {"n", 3.0},
      {"ok", true},
      {"plan", std::string("pro")}};
  EXPECT_EQ(defaultScrubber().scrubEvent(e), 3u);
  EXPECT_EQ(*e.path, "/signup?email=[redacted]");
  EXPECT_EQ(*e.referrer, "https://mail.example/inbox/[redacted]");
  EXPECT_EQ(std::get<std::string>((*e.props)[0].second), "call [redacted]");
  EXPECT_EQ(std::get<std::string>((*e.props)[3].second), "pro");
}

// scrubUrl answers its questions about a URL from bit masks (up to UrlMasks<4>::kMaxSize bytes);
// scrubUrlByScans scans for each. Both must write the same bytes for every URL, PII or not, with
// every detector and with one at a time.
TEST(Scrubber, MasksAndScansAgree) {
  std::vector<Scrubber> scrubbers = {defaultScrubber()};
  for (const char* name : {"email", "phone", "card", "iban", "jwt", "ip"}) {
    config::Privacy p;
    p.detectors = {name};
    scrubbers.emplace_back(p);
  }
  std::mt19937 rng(31);
  size_t changed = 0;
  for (int round = 0; round < 30000; ++round) {
    const std::string in = testing::randomUrl(rng, UrlMasks<4>::kMaxSize);
    const Scrubber& s = scrubbers[static_cast<size_t>(round) % scrubbers.size()];
    std::string byMasks = in, byScans = in;
    const bool maskChanged = s.scrubUrl(byMasks);
    ASSERT_EQ(maskChanged, s.scrubUrlByScans(byScans)) << in;
    ASSERT_EQ(byMasks, byScans) << in;
    changed += maskChanged ? 1 : 0;
  }
  // Most of them carry PII, but not all: both outcomes are compared.
  EXPECT_GT(changed, 5000u);
  EXPECT_LT(changed, 25000u);
}

TEST(Scrubber, IsScrubbedParam) {
  const Scrubber s = defaultScrubber();
  EXPECT_TRUE(s.isScrubbedParam("Email"));
  EXPECT_TRUE(s.isScrubbedParam("api_key"));
  EXPECT_TRUE(s.isScrubbedParam("user[password]"));
  EXPECT_TRUE(s.isScrubbedParam("token[]"));
  EXPECT_FALSE(s.isScrubbedParam("page"));
  EXPECT_FALSE(s.isScrubbedParam(""));
}

}  // namespace
}  // namespace consentry::filters::scrub

namespace consentry::filters::scrub {
namespace {

// Found by the fuzzer: a marker gives new context to its neighbour ("b.com::1" -> "]::1").
TEST(Scrubber, IsIdempotent) {
  for (std::string s : {std::string("/x?e0a%40b.com::1&t=1"), std::string("mail x@a.de+4930123456"),
                        std::string("/p/a@b.co::1/q")}) {
    const Scrubber sc = defaultScrubber();
    sc.scrubText(s);
    std::string again = s;
    sc.scrubText(again);
    EXPECT_EQ(again, s);
    EXPECT_EQ(s.find("::1"), std::string::npos) << s;
  }
}

}  // namespace
}  // namespace consentry::filters::scrub
