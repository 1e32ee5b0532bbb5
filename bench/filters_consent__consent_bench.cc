// Consent evaluation on typical request headers: a kv consent cookie, a TC string, no cookie,
// and OneTrust / Cookiebot cookies that carry a per-visitor id (each request a different value,
// as a worker sees them from many visitors).
#include <benchmark/benchmark.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "filters/consent/evaluator.h"
#include "filters/consent/tcf_string.h"

using namespace consentry;
using namespace consentry::filters::consent;

namespace {

const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1748736000));

config::Consent makeConfig() {
  config::Consent c;
  config::ConsentSource kv;
  kv.cookie = "site_consent";
  kv.map = {{"analytics", {"analytics"}}, {"marketing", {"ads"}}};
  config::ConsentSource tcf;
  tcf.type = config::ConsentSourceType::Tcf;
  tcf.cookie = "euconsent-v2";
  tcf.vendorId = 755;
  config::ConsentSource oneTrust;
  oneTrust.type = config::ConsentSourceType::OneTrust;
  oneTrust.cookie = "OptanonConsent";
  config::ConsentSource cookiebot;
  cookiebot.type = config::ConsentSourceType::Cookiebot;
  cookiebot.cookie = "CookieConsent";
  c.sources = {kv, tcf, oneTrust, cookiebot};
  c.minPolicyVersion = 3;
  return c;
}

// A realistic TC string: ~400 consented vendors out of 1100 (bit field), DV segment.
std::string realisticTc() {
  tcf::TcString tc;
  tc.created = tc.lastUpdated = (1748736000 - 86400) * int64_t{10};
  tc.cmpId = 10;
  tc.vendorListVersion = 300;
  tc.tcfPolicyVersion = 5;
  tc.isServiceSpecific = true;
  tc.purposesConsent = 0x3ff;
  tc.vendorConsents.maxVendorId = 1100;
  for (uint16_t v = 1; v <= 1100; v += (v % 3) + 1) tc.vendorConsents.ids.push_back(v);
  tc.vendorConsents.ids.push_back(755);
  std::sort(tc.vendorConsents.ids.begin(), tc.vendorConsents.ids.end());
  tc.vendorConsents.ids.erase(
      std::unique(tc.vendorConsents.ids.begin(), tc.vendorConsents.ids.end()),
      tc.vendorConsents.ids.end());
  tc.disclosedVendors = tc.vendorConsents;
  return tcf::encodeTcString(tc).value();
}

const std::string kOtherCookies =
    "_ga=GA1.2.123456789.1700000000; _gid=GA1.2.987654321.1700000000; "
    "session=eyJhbGciOiJIUzI1NiJ9.e30.abc; theme=dark; lang=en";

void run(benchmark::State& state, const std::vector<HeaderField>& headers) {
  ConsentEvaluator evaluator(makeConfig());
  for (auto _ : state) {
    ConsentResult r = evaluator.evaluate(headers, kNow);
    benchmark::DoNotOptimize(r);
  }
}

void BM_NoConsentCookie(benchmark::State& state) {
  std::vector<HeaderField> h = {{"Host", "example.com"}, {"Cookie", kOtherCookies}};
  run(state, h);
}

void BM_KvCookie(benchmark::State& state) {
  std::string cookie = kOtherCookies + "; site_consent=analytics%3D1%7Cads%3D0%7Cv%3D3";
  std::vector<HeaderField> h = {{"Host", "example.com"}, {"Cookie", cookie}};
  run(state, h);
}

void BM_TcfCookie(benchmark::State& state) {
  std::string cookie = kOtherCookies + "; euconsent-v2=" + realisticTc();
  std::vector<HeaderField> h = {{"Host", "example.com"}, {"Cookie", cookie}, {"Sec-GPC", "1"}};
  state.SetLabel(std::to_string(realisticTc().size()) + "-char TC string");
  run(state, h);
}

// 4096 Cookie headers, each with `cookie` where {ID} is a per-visitor number: the per-thread
// memo of whole values never hits, as with real visitors.
void runVaried(benchmark::State& state, const std::string& cookie) {
  std::mt19937 rng(20261207);
  std::vector<std::string> values(4096);
  for (std::string& v : values) {
    v = kOtherCookies + "; " + cookie;
    v.replace(v.find("{ID}"), 4, std::to_string(rng()));
  }
  ConsentEvaluator evaluator(makeConfig());
  size_t next = 0;
  for (auto _ : state) {
    const HeaderField h[] = {{"Host", "example.com"}, {"Cookie", values[next]}};
    next = (next + 1) % values.size();
    ConsentResult r = evaluator.evaluate(h, kNow);
    benchmark::DoNotOptimize(r);
  }
}

void BM_OneTrustVaried(benchmark::State& state) {
  runVaried(state,
            "OptanonConsent=isGpcEnabled=0&datestamp=Mon+Nov+02+2026+10%3A15%3A00+GMT%2B0100&"
            "version=202310.1.0&isIABGlobal=false&consentId={ID}&interactionCount=1&"
            "landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2CC0004%3A1&"
            "AwaitingReconsent=false");
}

void BM_CookiebotVaried(benchmark::State& state) {
  runVaried(state,
            "CookieConsent={stamp:%27{ID}%27%2Cnecessary:true%2Cpreferences:true%2C"
            "statistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:1%2C"
            "utc:1700000000000%2Cregion:%27de%27}");
}

}  // namespace

BENCHMARK(BM_OneTrustVaried);
BENCHMARK(BM_CookiebotVaried);
BENCHMARK(BM_NoConsentCookie);
BENCHMARK(BM_KvCookie);
BENCHMARK(BM_TcfCookie);
