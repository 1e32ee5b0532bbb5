// The event path of SPEC §10: consent → UA (cached) → geo → region policy → scrub → serialize,
// on one core. Target: >= 1 M events/s. Two inputs: one fixed consented navigation (every cache
// hits every time), and a pre-generated varied set that cycles consent formats, user agents,
// languages, paths and referrers with and without PII, and IPv4/IPv6 clients, so the consent,
// language and UA caches see the mix a site sends (the UA pool fits the UA cache: SPEC says
// "UA (cached)").
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "bench/geo_addresses.h"
#include "bench/varied_urls.h"
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
  sources:
    - {type: cookie, name: site_consent, format: kv, map: {analytics: analytics}}
    - {type: onetrust}
    - {type: cookiebot}
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

// One navigation of the varied set, laid out as the proxy holds a parsed request: the request
// line and header bytes in one buffer (the connection's read buffer), the header fields as views
// into it. Each request has its own buffer, so cycling through 4096 of them still leaves the
// working set well beyond L2, as many connections would.
struct VariedRequest {
  std::string bytes;  // "target\0name: value\r\n..." as received
  std::vector<HeaderField> headers;
  std::string_view target;
  IpAddress client;
};

VariedRequest makeRequest(const std::vector<std::pair<std::string, std::string>>& fields,
                          const std::string& target, const std::string& client) {
  VariedRequest r;
  std::vector<std::pair<size_t, size_t>> offsets;  // name and value starts; views are taken
  r.bytes = target;                                // once the buffer stops growing
  r.bytes += ' ';
  for (const auto& [name, value] : fields) {
    const size_t nameAt = r.bytes.size();
    r.bytes += name;
    r.bytes += ": ";
    offsets.emplace_back(nameAt, r.bytes.size());
    r.bytes += value;
    r.bytes += "\r\n";
  }
  r.bytes.shrink_to_fit();
  const std::string_view all = r.bytes;
  for (size_t i = 0; i < fields.size(); ++i) {
    r.headers.push_back({all.substr(offsets[i].first, fields[i].first.size()),
                         all.substr(offsets[i].second, fields[i].second.size())});
  }
  r.target = all.substr(0, target.size());
  r.client = *IpAddress::parse(client);
  return r;
}

// Every request is a consented document navigation (the path the target is about), in one of
// the four consent formats below; the rest varies per request.
std::vector<VariedRequest> variedRequests(size_t count) {
  static const std::vector<std::string> kUserAgents = {
      kUa,
      "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
      "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/126.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.5 Safari/605.1.15",
      "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/112.0.5615.48 Mobile Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
  };
  static const std::vector<std::string> kConsent = {
      "age_verified=1; site_consent=analytics%3D1%7Cv%3D3",
      "age_verified=1; site_consent=analytics%3D1%7Cads%3D0%7Cv%3D3; _ga=GA1.1.1; "
      "__csy_vid=0123456789abcdef0123456789abcdef",
      "age_verified=1; OptanonConsent=isGpcEnabled=0&datestamp=Mon+Nov+02+2026&version=202310.1.0&"
      "consentId={ID}&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2CC0004%3A1; "
      "__csy_vid=fedcba9876543210fedcba9876543210",
      "age_verified=1; CookieConsent={stamp:%27{ID}%27%2Cnecessary:true%2Cpreferences:true%2C"
      "statistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:1}",
  };
  const std::vector<std::string>& kTargets = bench::variedTargets();
  const std::vector<std::string>& kReferrers = bench::variedReferrers();
  static const std::vector<std::string> kLanguages = {"de-DE,de;q=0.9", "en-US,en;q=0.8", "fr",
                                                      "pt-BR", "en-GB,en;q=0.9,de;q=0.5"};
  static const std::vector<std::string> kClients = {
      "203.0.113.77",     "198.51.100.23",      "81.2.69.142",   "2001:db8:85a3::8a2e:370:7334",
      "2a02:8106:1:2::5", "::ffff:81.2.69.160", "89.160.20.112", "2001:218:85a3::1"};
  std::mt19937 rng(20261129);
  auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[rng() % v.size()];
  };
  std::vector<VariedRequest> out(count);
  for (VariedRequest& r : out) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Host", "example.com"}, {"User-Agent", pick(kUserAgents)}, {"Accept", "text/html"}};
    fields.emplace_back("Accept-Language", pick(kLanguages));
    // OneTrust and Cookiebot cookies carry a per-visitor id, so their values rarely repeat
    // (the consent memo misses); a site's own kv values do repeat.
    std::string cookie = pick(kConsent);
    if (const size_t id = cookie.find("{ID}"); id != std::string::npos) {
      cookie.replace(id, 4, std::to_string(rng()));
    }
    fields.emplace_back("Cookie", std::move(cookie));
    if (const std::string& ref = pick(kReferrers); !ref.empty())
      fields.emplace_back("Referer", ref);
    r = makeRequest(fields, pick(kTargets), pick(kClients));
  }
  return out;
}

// The one navigation the fixed benchmark repeats: a returning visitor (the common case carries
// the visitor cookie already).
std::vector<VariedRequest> fixedRequest() {
  std::vector<VariedRequest> one;
  one.push_back(makeRequest({{"Host", "example.com"},
                             {"User-Agent", kUa},
                             {"Accept", "text/html"},
                             {"Accept-Language", "de-DE,de;q=0.9"},
                             {"Cookie",
                              "age_verified=1; site_consent=analytics%3D1%7Cv%3D3; _ga=GA1.1.1; "
                              "__csy_vid=0123456789abcdef0123456789abcdef"},
                             {"Referer", "https://search.example/?q=shoes"}},
                            "/products/42?utm_source=news", "203.0.113.77"));
  return one;
}

void runPath(benchmark::State& state, const std::string& extra,
             const std::vector<VariedRequest>& requests) {
  if (!std::filesystem::exists("/usr/share/uap-core/regexes.yaml")) {
    state.SkipWithError("uap-core not installed");
    return;
  }
  auto shared = makeShared(extra);
  filters::WorkerState worker(*shared);
  filters::RequestInfo request;
  request.method = "GET";
  request.host = "example.com";
  request.scheme = "https";
  request.time = std::chrono::system_clock::now();
  std::string out;
  size_t next = 0;
  for (auto _ : state) {
    const VariedRequest& r = requests[next];
    next = next + 1 == requests.size() ? 0 : next + 1;
    request.target = r.target;
    request.headers = r.headers;
    request.peer = r.client;
    request.client = r.client;
    auto decision = filters::decideRequest(*shared, worker, request);
    if (!decision.event) {
      state.SkipWithError("a benchmark request was not recorded");
      return;
    }
    out.clear();
    events::appendEventJson(*decision.event, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

// With a geo database when one is given (CONSENTRY_BENCH_MMDB=path; e.g. the test database the
// geo tests generate, or GeoLite2-City).
void runPathWithGeo(benchmark::State& state, const std::vector<VariedRequest>& requests) {
  const char* db = std::getenv("CONSENTRY_BENCH_MMDB");
  if (db == nullptr) {
    state.SkipWithError("set CONSENTRY_BENCH_MMDB to a City/Country database");
    return;
  }
  runPath(state, std::string("geo: {database: ") + db + "}\n", requests);
}

void BM_EventPathNoGeo(benchmark::State& state) {
  runPath(state, "", fixedRequest());
}
BENCHMARK(BM_EventPathNoGeo);

void BM_EventPathWithGeo(benchmark::State& state) {
  runPathWithGeo(state, fixedRequest());
}
BENCHMARK(BM_EventPathWithGeo);

void BM_EventPathVariedNoGeo(benchmark::State& state) {
  runPath(state, "", variedRequests(4096));
}
BENCHMARK(BM_EventPathVariedNoGeo);

void BM_EventPathVariedWithGeo(benchmark::State& state) {
  runPathWithGeo(state, variedRequests(4096));
}
BENCHMARK(BM_EventPathVariedWithGeo);

// The varied requests with a distinct client each (half IPv4, half IPv6; three quarters inside
// the database's networks, the rest in its gaps), so that every lookup walks the tree to its
// own network, as a proxy's many clients do; the 8-address pool above repeats 8 walks.
void BM_EventPathVariedWithGeoDistinctClients(benchmark::State& state) {
  const char* db = std::getenv("CONSENTRY_BENCH_MMDB");
  if (db == nullptr) {
    state.SkipWithError("set CONSENTRY_BENCH_MMDB to a City/Country database");
    return;
  }
  auto opened = geo::GeoDb::open(db);
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  std::vector<VariedRequest> requests = variedRequests(4096);
  const std::vector<IpAddress> v4 = bench::addresses(**opened, requests.size() / 2, false);
  const std::vector<IpAddress> v6 = bench::addresses(**opened, requests.size() / 2, true);
  for (size_t i = 0; i < requests.size(); ++i) {
    const std::vector<IpAddress>& pool = i % 2 == 0 ? v4 : v6;
    requests[i].client = pool[(i / 2) % pool.size()];
  }
  runPathWithGeo(state, requests);
}
BENCHMARK(BM_EventPathVariedWithGeoDistinctClients);

}  // namespace
