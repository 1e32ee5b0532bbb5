#pragma once
// Process-wide metrics registry rendered as Prometheus text on the admin listener (SPEC §7).
// Metrics are registered once (setup, or the first time a label combination is seen, under a
// mutex) and then updated lock-free through stable references: hot paths keep the reference.
// Counter and histogram updates go to a per-thread shard so two workers never share a cache line.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace consentry::admin {

using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr size_t kMetricShards = 16;

// Call once per thread (worker i gets shard i + 1; other threads share shard 0).
void setMetricsShard(size_t shard);

class Counter {
 public:
  void inc(uint64_t n = 1);
  uint64_t value() const;

 private:
  struct alignas(64) Shard {
    std::atomic<uint64_t> v{0};
  };
  Shard shards_[kMetricShards];
};

class Gauge {
 public:
  void set(int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

// Cumulative histogram with fixed upper bounds (seconds for latencies). Bounds are sorted and
// deduplicated; a bound is inclusive (Prometheus `le`). The sum has a resolution of 1e-6.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  std::vector<uint64_t> bucketCounts() const;  // per bound, plus +Inf last; not cumulative
  double sum() const;
  uint64_t count() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  struct alignas(64) Shard {
    std::unique_ptr<std::atomic<uint64_t>[]> buckets;
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sumMicros{0};
  };
  std::vector<double> bounds_;
  std::unique_ptr<Shard[]> shards_;
};

// Families are rendered sorted by name, series sorted by their label text, so the output is
// stable; labels are rendered sorted by name. Counter family names should end in `_total`:
// they are rendered exactly as named.
// Registering a name again with another type (or a histogram with other bounds) returns a
// detached metric that is never rendered, and says so on stderr: no exceptions here.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  Counter& counter(std::string_view family, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view family, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view family, std::string_view help, const Labels& labels,
                       const std::vector<double>& bounds);
  // Appends text written elsewhere (events/, filters/ keep their own atomics and renderers) after
  // this registry's families; called on every render, on the admin thread.
  void addCollector(std::function<void(std::string& out)> collector);
  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process's registry; its render() includes renderProcessMetrics().
MetricsRegistry& metrics();

// process_resident_memory_bytes, process_open_fds, process_start_time_seconds (from /proc) and
// consentry_build_info{version}.
void renderProcessMetrics(std::string& out);

// Default latency buckets in seconds: 0.5 ms .. 30 s.
const std::vector<double>& latencyBuckets();

}  // namespace consentry::admin
