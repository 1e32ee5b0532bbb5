// UA parsing cost: uncached parse of a mix of 20 real User-Agents (with and without the literal
// prefilter) and the per-worker cached lookup the request path uses.

#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "filters/telemetry/client_facts.h"
#include "filters/telemetry/ua_regexes.h"

namespace {

using namespace consentry;
using namespace consentry::filters::telemetry;

constexpr std::array<const char*, 20> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
    "Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/129.0.0.0 Safari/537.36 OPR/115.0.0.0",
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.5845.114 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; moto g(60)) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Mobile Safari/537.36 Instagram 312.1.0.34.111",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl/8.5.0",
};

const std::shared_ptr<const UaRegexes>& regexes(bool prefilter) {
  static auto with = *UaRegexes::loadFile("/usr/share/uap-core/regexes.yaml");
  static auto without = *UaRegexes::loadFile("/usr/share/uap-core/regexes.yaml", false);
  return prefilter ? with : without;
}

void uncached(benchmark::State& state, bool prefilter) {
  const auto& set = regexes(prefilter);
  UaScratch scratch(*set);
  size_t i = 0;
  for (auto _ : state) {
    RawParse p = set->parse(kUserAgents[i++ % kUserAgents.size()], scratch);
    benchmark::DoNotOptimize(p);
  }
}

void BM_UaParseUncached(benchmark::State& state) {
  uncached(state, true);
}
void BM_UaParseUncachedNoPrefilter(benchmark::State& state) {
  uncached(state, false);
}

void BM_UaDescribeCached(benchmark::State& state) {
  ClientDescriber describer(regexes(true), 4096);
  std::vector<std::array<HeaderField, 3>> requests;
  for (const char* ua : kUserAgents) {
    requests.push_back({HeaderField{"Host", "example.com"}, HeaderField{"User-Agent", ua},
                        HeaderField{"Accept", "text/html"}});
  }
  size_t i = 0;
  for (auto _ : state) {
    const ClientFacts& f = describer.describe(requests[i++ % requests.size()]);
    benchmark::DoNotOptimize(&f);
  }
  state.counters["misses"] = static_cast<double>(describer.misses());
}

BENCHMARK(BM_UaParseUncached);
BENCHMARK(BM_UaParseUncachedNoPrefilter);
BENCHMARK(BM_UaDescribeCached);

}  // namespace
