// Region policy application per event: the GDPR-style reduction (every field touched) and the
// keep-everything policy (the cheapest case), on a realistic event. Part of the event path
// budget of SPEC §10 (>= 1 M events/s/core end to end).
#include <benchmark/benchmark.h>

#include <string_view>
#include <vector>

#include "config/config_loader.h"
#include "filters/policy/field_policy.h"
#include "filters/policy/region_policy.h"

namespace {

using namespace consentry;

events::Event sampleEvent() {
  events::Event e;
  e.country = "DE";
  e.subdivision = "DE-BE";
  e.ip = IpAddress::parse("203.0.113.77");
  e.osName = "Windows";
  e.osVersion = "10.0.19045";
  e.browserName = "Chrome";
  e.browserVersion = "131.0.6778.86";
  e.language = "de-DE";
  e.screen = events::Screen{1920, 1080, 1.25};
  e.viewport = events::Viewport{1903, 950};
  e.host = "example.com";
  e.path = "/pricing";
  e.referrer = "https://search.example/results?q=consentry";
  e.visitor = "0190b3c18f2e7a559d1e3c4b5a697887";
  return e;
}

config::FieldPolicy gdpr() {
  config::FieldPolicy p;
  p.ip = config::IpRule::Truncate;
  p.ipV4Bits = 24;
  p.ipV6Bits = 48;
  p.osVersion = p.browserVersion = config::VersionRule::Major;
  p.language = config::LanguageRule::Primary;
  p.screen = config::ScreenRule::Bucket;
  p.location = config::LocationRule::Country;
  p.referrer = config::ReferrerRule::Origin;
  return p;
}

void BM_PolicyGdpr(benchmark::State& state) {
  const events::Event base = sampleEvent();
  const config::FieldPolicy p = gdpr();
  events::Event e;
  for (auto _ : state) {
    e = base;  // the copy is part of the cost here, as the chain builds a fresh event
    filters::policy::applyFieldPolicy(p, e);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PolicyGdpr);

void BM_EventCopyOnly(benchmark::State& state) {
  const events::Event base = sampleEvent();
  events::Event e;
  for (auto _ : state) {
    e = base;
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_EventCopyOnly);

void BM_PolicyKeepAll(benchmark::State& state) {
  const events::Event base = sampleEvent();
  const config::FieldPolicy p;
  events::Event e;
  for (auto _ : state) {
    e = base;
    filters::policy::applyFieldPolicy(p, e);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_PolicyKeepAll);

// Region decision without geo (database off) plus the stamping and reduction.
void BM_ApplyRegion(benchmark::State& state) {
  config::Config c;
  config::Region def;
  def.name = "default";
  def.isDefault = true;
  def.fields = gdpr();
  c.regions = {def};
  auto resolver = geo::RegionResolver::build(c);
  const events::Event base = sampleEvent();
  const IpAddress client = *IpAddress::parse("203.0.113.77");
  events::Event e;
  for (auto _ : state) {
    e = base;
    const auto d = filters::policy::decideRegion(*resolver, nullptr, client);
    filters::policy::applyRegion(d, e);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ApplyRegion);

// Region resolution with the shipped presets (the embedded default config: GDPR area, US
// states, Brazil, China, Canada, default), for clients spread over regions, including ones that
// fall through to `default` after every list has been consulted.
void BM_ResolveShippedRegions(benchmark::State& state) {
  const auto loaded = config::loadConfigString(config::embeddedDefaultConfig(), "<embedded>");
  if (!loaded.config) {
    state.SkipWithError("the embedded default config does not load");
    return;
  }
  auto resolver = geo::RegionResolver::build(*loaded.config);
  struct Place {
    std::string_view country, subdivision, continent;
  };
  static constexpr Place kPlaces[] = {
      {"DE", "DE-BE", "EU"}, {"US", "US-CA", "NA"}, {"US", "US-WA", "NA"},  {"BR", "BR-SP", "SA"},
      {"JP", "JP-13", "AS"}, {"CA", "CA-QC", "NA"}, {"CA", "CA-ON", "NA"},  {"IN", "IN-MH", "AS"},
      {"SE", "", "EU"},      {"CN", "CN-11", "AS"}, {"AU", "AU-NSW", "OC"}, {"CH", "CH-ZH", "EU"}};
  std::vector<geo::GeoResult> places;
  for (const Place& p : kPlaces) {
    places.push_back({geo::GeoStatus::Found, {p.country, p.subdivision, p.continent}});
  }
  size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(&resolver->resolve(places[next]));
    next = next + 1 == places.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_ResolveShippedRegions);

}  // namespace
