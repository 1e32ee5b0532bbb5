#pragma once
// Process-wide metrics registry rendered as Prometheus text on the admin listener (SPEC §7).
// Metrics are registered once (setup, or the first time a label combination is seen, under a
// mutex) and then updated lock-free through stable references: hot paths keep the reference.
// Counter and histogram updates go to a per-thread shard so two workers never share a cache line.

#include <atomic>
#include <cstdint>
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

// Cumulative histogram with fixed upper bounds (seconds for latencies).
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

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  Counter& counter(std::string_view family, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view family, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view family, std::string_view help, const Labels& labels,
                       const std::vector<double>& bounds);
  // Prometheus text exposition format 0.0.4.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process's registry.
MetricsRegistry& metrics();

// Default latency buckets in seconds.
const std::vector<double>& latencyBuckets();

}  // namespace consentry::admin
