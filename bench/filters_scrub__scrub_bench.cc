// The scrubber on its own, one URL kind at a time: the event path scrubs every pageview's path
// and referrer, and most of its cost sits in a few kinds (clean paths, PII in a path segment,
// escaped PII in a query). Each iteration copies the URL first (the scrubber rewrites in place);
// BM_CopyOnly measures that copy.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/varied_urls.h"
#include "config/config.h"
#include "filters/scrub/scrubber.h"

namespace {

using consentry::filters::scrub::Scrubber;

// Every target and referrer of the varied event-path input, in that order.
const std::vector<std::string>& urls() {
  static const std::vector<std::string> kUrls = [] {
    std::vector<std::string> all = consentry::bench::variedTargets();
    for (const std::string& r : consentry::bench::variedReferrers()) {
      if (!r.empty()) all.push_back(r);
    }
    return all;
  }();
  return kUrls;
}

void BM_ScrubUrl(benchmark::State& state) {
  const Scrubber scrubber{consentry::config::Privacy{}};
  const std::string& url = urls()[static_cast<size_t>(state.range(0))];
  state.SetLabel(url);
  std::string copy;
  for (auto _ : state) {
    copy = url;
    benchmark::DoNotOptimize(scrubber.scrubUrl(copy));
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_ScrubUrl)->DenseRange(0, 11);

void BM_CopyOnly(benchmark::State& state) {
  const std::string& url = urls()[5];
  std::string copy;
  for (auto _ : state) {
    copy = url;
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_CopyOnly);

}  // namespace
