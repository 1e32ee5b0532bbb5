// Geo lookups per second on a generated GeoIP2-City-like database (tests/helpers/
// make_test_mmdb.pl, 20k IPv4 /24 and 20k IPv6 /48 networks). Target: >= 5 M lookups/s/core.
#include <benchmark/benchmark.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench/geo_addresses.h"
#include "geo/geo_database.h"
#include "geo/region_resolver.h"

namespace {

using namespace consentry;

const std::string& benchDb() {
  static const std::string path = [] {
    const auto dir = std::filesystem::temp_directory_path() / "consentry-bench";
    std::filesystem::create_directories(dir);
    const auto out = dir / "geo-bench.mmdb";
    if (!std::filesystem::exists(out)) {
      // The bench is built from the source tree, so the generator sits next to this file.
      const auto script = std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" /
                          "helpers" / "make_test_mmdb.pl";
      const std::string cmd =
          "perl '" + script.string() + "' '" + out.string() + "' --random 20000 --seed 5";
      if (std::system(cmd.c_str()) != 0) return std::string();
    }
    return out.string();
  }();
  return path;
}

void lookup(benchmark::State& state, bool v6) {
  const std::string& path = benchDb();
  if (path.empty()) {
    state.SkipWithError("make_test_mmdb.pl failed");
    return;
  }
  geo::GeoDatabase db(path);
  const auto db0 = db.snapshot();
  if (!db0) {
    state.SkipWithError("cannot open the bench database");
    return;
  }
  const auto ips = bench::addresses(*db0, 4096, v6);
  if (ips.size() != 4096) {
    state.SkipWithError("could not draw 4096 addresses");
    return;
  }
  size_t i = 0, found = 0;
  for (auto _ : state) {
    const geo::GeoResult r = db0->lookup(ips[i++ & 4095]);
    found += r.status == geo::GeoStatus::Found;
    benchmark::DoNotOptimize(r);
  }
  state.counters["folded_KiB"] = static_cast<double>(db0->foldedBytes()) / 1024.0;
  state.counters["found%"] =
      100.0 * static_cast<double>(found) / static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_GeoLookupV4(benchmark::State& state) {
  lookup(state, false);
}
BENCHMARK(BM_GeoLookupV4);

void BM_GeoLookupV6(benchmark::State& state) {
  lookup(state, true);
}
BENCHMARK(BM_GeoLookupV6);

// Through the reloadable handle (atomic shared_ptr load per lookup) and region resolution.
void BM_GeoLookupAndResolve(benchmark::State& state) {
  const std::string& path = benchDb();
  if (path.empty()) {
    state.SkipWithError("make_test_mmdb.pl failed");
    return;
  }
  geo::GeoDatabase db(path);
  config::Config c;
  config::Region eea;
  eea.name = "eea";
  eea.countries = {"DE", "FR", "GB"};
  config::Region ca;
  ca.name = "us-ca";
  ca.subdivisions = {"US-CA"};
  config::Region def;
  def.name = "default";
  def.isDefault = true;
  c.regions = {eea, ca, def};
  auto resolver = geo::RegionResolver::build(c);
  const auto ips = bench::addresses(*db.snapshot(), 4096, false);
  size_t i = 0;
  for (auto _ : state) {
    const auto& rules = resolver->resolve(db.lookup(ips[i++ & 4095]));
    benchmark::DoNotOptimize(&rules);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_GeoLookupAndResolve);

// Through the reloadable handle from two threads at once, as two workers do: what the handle
// adds on top of the lookup itself when its state is shared between cores.
void BM_GeoHandleLookupTwoThreads(benchmark::State& state) {
  static std::unique_ptr<geo::GeoDatabase> shared;
  static std::vector<IpAddress> ips;
  if (state.thread_index() == 0) {
    const std::string& path = benchDb();
    if (!path.empty()) shared = std::make_unique<geo::GeoDatabase>(path);
    if (shared != nullptr && shared->snapshot())
      ips = bench::addresses(*shared->snapshot(), 4096, false);
  }
  // Benchmark's threads start their loops together, after the setup above.
  size_t i = static_cast<size_t>(state.thread_index()) * 1024, found = 0;
  for (auto _ : state) {
    if (ips.size() != 4096) {
      state.SkipWithError("cannot open the bench database");
      break;
    }
    found += shared->lookup(ips[i++ & 4095]).status == geo::GeoStatus::Found;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  if (state.thread_index() == 0) shared.reset();
}
BENCHMARK(BM_GeoHandleLookupTwoThreads)->Threads(2)->UseRealTime();

}  // namespace

namespace {

// The search-tree walk alone (libmaxminddb), to show what the record decoding adds on top.
void BM_TreeWalkOnly(benchmark::State& state) {
  const std::string& path = benchDb();
  if (path.empty()) {
    state.SkipWithError("make_test_mmdb.pl failed");
    return;
  }
  geo::GeoDatabase db(path);
  const auto snap = db.snapshot();
  const auto ips = bench::addresses(*snap, 4096, false);
  std::vector<sockaddr_in> sas(ips.size());
  for (size_t k = 0; k < ips.size(); ++k) {
    sas[k].sin_family = AF_INET;
    std::memcpy(&sas[k].sin_addr, ips[k].bytes().data(), 4);
  }
  size_t i = 0;
  for (auto _ : state) {
    int err = 0;
    auto r = MMDB_lookup_sockaddr(snap->handle(),
                                  reinterpret_cast<const sockaddr*>(&sas[i++ & 4095]), &err);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_TreeWalkOnly);

}  // namespace
