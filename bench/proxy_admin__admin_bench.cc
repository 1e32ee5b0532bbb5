// The costs a worker pays per request for observability: a counter, a latency observation and an
// access log line. All three must stay far below a request's own cost (microseconds).

#include <benchmark/benchmark.h>

#include "proxy/admin/access_log.h"
#include "proxy/admin/metrics.h"

namespace consentry::admin {
namespace {

void BM_CounterInc(benchmark::State& state) {
  MetricsRegistry registry;
  Counter& c = registry.counter("bench_total", "h", {{"code", "200"}});
  setMetricsShard(static_cast<size_t>(state.thread_index()) + 1);
  for (auto _ : state) c.inc();
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
  static MetricsRegistry registry;
  Histogram& h = registry.histogram("bench_seconds", "h", {}, latencyBuckets());
  setMetricsShard(static_cast<size_t>(state.thread_index()) + 1);
  double v = 0.0001;
  for (auto _ : state) {
    h.observe(v);
    v = v > 20 ? 0.0001 : v * 1.7;
  }
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

void BM_AccessLogRecord(benchmark::State& state) {
  MetricsRegistry registry;
  config::AccessLog c;
  c.path = "/dev/null";
  c.format = state.range(0) == 0 ? "json" : "combined";
  auto log = AccessLog::open(c, 1, registry);
  if (!log) {
    state.SkipWithError(log.error().message.c_str());
    return;
  }
  AccessLogEntry e;
  e.time = std::chrono::system_clock::now();
  e.client = *IpAddress::parse("203.0.113.77");
  e.method = "GET";
  e.target = "/products/12345/reviews?page=2";
  e.status = 200;
  e.bytesSent = 1432;
  e.duration = std::chrono::microseconds(812);
  e.upstream = "127.0.0.1:8081";
  for (auto _ : state) (*log)->record(0, e);
  state.counters["dropped"] =
      static_cast<double>(registry.counter("consentry_access_log_dropped_total", "").value());
}
BENCHMARK(BM_AccessLogRecord)->Arg(0)->Arg(1);

void BM_RenderHundredSeries(benchmark::State& state) {
  MetricsRegistry registry;
  for (int code = 200; code < 300; ++code) {
    registry.counter("bench_requests_total", "h", {{"code", std::to_string(code)}}).inc();
  }
  registry.histogram("bench_seconds", "h", {}, latencyBuckets()).observe(0.01);
  for (auto _ : state) benchmark::DoNotOptimize(registry.render());
}
BENCHMARK(BM_RenderHundredSeries);

}  // namespace
}  // namespace consentry::admin
