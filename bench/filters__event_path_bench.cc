// The event path of SPEC §10: consent → UA (cached) → geo → region policy → scrub → serialize,
// for one consented navigation, on one core. Target: >= 1 M events/s.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "config/config_loader.h"
#include "events/event_json.h"
#include "filters/chain_shared.h"
#include "filters/request_decider.h"

namespace {

using namespace consentry;

constexpr const char* kUa =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36";

std::shared_ptr<const filters::ChainShared> makeShared(const std::string& extra) {
  auto loaded = config::loadConfigString(R"(
upstreams: [{name: site, servers: [127.0.0.1:1]}]
consent:
  sources: [{type: cookie, name: site_consent, format: kv, map: {analytics: analytics}}]
  require: [{cookie: age_verified, value: "1"}]
telemetry: {record: all}
regions:
  - {name: eea, countries: [DE, FR], fields: {ip: {truncate: {v4: 24, v6: 48}},
     os_version: major, browser_version: major, language: primary, referrer: origin}}
  - {name: default}
)" + extra,
                                         "bench.yaml");
  if (!loaded.config) std::abort();
  auto shared = filters::buildChainShared(loaded.config, nullptr, nullptr);
  if (!shared) std::abort();
  return *shared;
}

void runPath(benchmark::State& state, const std::string& extra) {
  if (!std::filesystem::exists("/usr/share/uap-core/regexes.yaml")) {
    state.SkipWithError("uap-core not installed");
    return;
  }
  auto shared = makeShared(extra);
  filters::WorkerState worker(*shared);
  std::vector<HeaderField> headers = {
      {"Host", "example.com"},
      {"User-Agent", kUa},
      {"Accept", "text/html"},
      {"Accept-Language", "de-DE,de;q=0.9"},
      // A returning visitor: the common case carries the visitor cookie already.
      {"Cookie",
       "age_verified=1; site_consent=analytics%3D1%7Cv%3D3; _ga=GA1.1.1; "
       "__csy_vid=0123456789abcdef0123456789abcdef"},
      {"Referer", "https://search.example/?q=shoes"}};
  filters::RequestInfo request;
  request.method = "GET";
  request.target = "/products/42?utm_source=news";
  request.host = "example.com";
  request.scheme = "https";
  request.headers = headers;
  request.peer = *IpAddress::parse("203.0.113.77");
  request.client = request.peer;
  request.time = std::chrono::system_clock::now();
  std::string out;
  for (auto _ : state) {
    auto decision = filters::decideRequest(*shared, worker, request);
    out.clear();
    events::appendEventJson(*decision.event, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EventPathNoGeo(benchmark::State& state) {
  runPath(state, "");
}
BENCHMARK(BM_EventPathNoGeo);

// With a geo database when one is given (CONSENTRY_BENCH_MMDB=path; e.g. the test database the
// geo tests generate, or GeoLite2-City).
void BM_EventPathWithGeo(benchmark::State& state) {
  const char* db = std::getenv("CONSENTRY_BENCH_MMDB");
  if (db == nullptr) {
    state.SkipWithError("set CONSENTRY_BENCH_MMDB to a City/Country database");
    return;
  }
  runPath(state, std::string("geo: {database: ") + db + "}\n");
}
BENCHMARK(BM_EventPathWithGeo);

}  // namespace
