#include "proxy/admin/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <variant>

#include "proxy/admin/prometheus_text.h"

namespace consentry::admin {

namespace {

thread_local size_t tShard = 0;

size_t currentShard() {
  return tShard;
}

// +Inf is implicit and NaN cannot order observations, so neither may be a bound.
std::vector<double> normalizedBounds(std::vector<double> bounds) {
  std::erase_if(bounds, [](double b) { return std::isnan(b) || std::isinf(b); });
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  return bounds;
}

}  // namespace

void setMetricsShard(size_t shard) {
  tShard = shard % kMetricShards;
}

void Counter::inc(uint64_t n) {
  shards_[currentShard()].v.fetch_add(n, std::memory_order_relaxed);
}

uint64_t Counter::value() const {
  uint64_t total = 0;
  for (const auto& shard : shards_) total += shard.v.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(normalizedBounds(std::move(bounds))) {
  shards_ = std::make_unique<Shard[]>(kMetricShards);
  for (size_t i = 0; i < kMetricShards; ++i) {
    shards_[i].buckets = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  }
}

void Histogram::observe(double v) {
  Shard& shard = shards_[currentShard()];
  // NaN compares false with every bound, so it is counted in +Inf only and left out of the sum.
  size_t bucket = bounds_.size();
  if (!std::isnan(v)) {
    bucket = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
    // Modular arithmetic on the two's complement keeps negative observations exact.
    auto micros = static_cast<int64_t>(std::llround(v * 1e6));
    shard.sumMicros.fetch_add(static_cast<uint64_t>(micros), std::memory_order_relaxed);
  }
  shard.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  shard.count.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::bucketCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1, 0);
  for (size_t s = 0; s < kMetricShards; ++s) {
    for (size_t b = 0; b < counts.size(); ++b) {
      counts[b] += shards_[s].buckets[b].load(std::memory_order_relaxed);
    }
  }
  return counts;
}

double Histogram::sum() const {
  uint64_t total = 0;
  for (size_t s = 0; s < kMetricShards; ++s) {
    total += shards_[s].sumMicros.load(std::memory_order_relaxed);
  }
  return static_cast<double>(static_cast<int64_t>(total)) / 1e6;
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (size_t s = 0; s < kMetricShards; ++s) {
    total += shards_[s].count.load(std::memory_order_relaxed);
  }
  return total;
}

namespace {

enum class Kind { Counter, Gauge, Histogram };

std::string_view kindName(Kind kind) {
  switch (kind) {
    case Kind::Counter:
      return "counter";
    case Kind::Gauge:
      return "gauge";
    case Kind::Histogram:
      return "histogram";
  }
  return "untyped";
}

struct Series {
  Labels labels;
  std::variant<std::unique_ptr<Counter>, std::unique_ptr<Gauge>, std::unique_ptr<Histogram>> metric;
};

struct Family {
  Kind kind;
  std::string help;
  std::vector<double> bounds;                         // histograms only
  std::map<std::string, Series, std::less<>> series;  // keyed by the rendered label text
};

std::string labelKey(const Labels& labels) {
  std::string key;
  prom::appendLabels(key, labels);
  return key;
}

void renderHistogram(std::string& out, const std::string& name, const Series& series) {
  const Histogram& h = *std::get<std::unique_ptr<Histogram>>(series.metric);
  const std::vector<uint64_t> counts = h.bucketCounts();
  // _count and +Inf come from the same snapshot as the buckets, so a scrape taken while workers
  // observe is still internally consistent (cumulative buckets never exceed _count).
  uint64_t cumulative = 0;
  std::string le;
  for (size_t b = 0; b <= h.bounds().size(); ++b) {
    cumulative += counts[b];
    le = "le=\"";
    if (b < h.bounds().size()) {
      prom::appendDouble(le, h.bounds()[b]);
    } else {
      le += "+Inf";
    }
    le += '"';
    out += name;
    out += "_bucket";
    prom::appendLabels(out, series.labels, le);
    out += ' ';
    prom::appendUint(out, cumulative);
    out += '\n';
  }
  out += name;
  out += "_sum";
  prom::appendLabels(out, series.labels);
  out += ' ';
  prom::appendDouble(out, h.sum());
  out += '\n';
  out += name;
  out += "_count";
  prom::appendLabels(out, series.labels);
  out += ' ';
  prom::appendUint(out, cumulative);
  out += '\n';
}

}  // namespace

struct MetricsRegistry::Impl {
  mutable std::mutex mutex;
  std::map<std::string, Family, std::less<>> families;
  std::vector<std::function<void(std::string&)>> collectors;
  // Returned for rejected registrations so callers always get a usable reference.
  std::vector<Series> detached;

  Series& find(std::string_view name, std::string_view help, const Labels& labels, Kind kind,
               const std::vector<double>* bounds);
  Series& detach(std::string_view name, std::string_view why, Kind kind,
                 const std::vector<double>* bounds);
};

namespace {

Series makeSeries(const Labels& labels, Kind kind, const std::vector<double>* bounds) {
  Series s;
  s.labels = labels;
  switch (kind) {
    case Kind::Counter:
      s.metric = std::make_unique<Counter>();
      break;
    case Kind::Gauge:
      s.metric = std::make_unique<Gauge>();
      break;
    case Kind::Histogram:
      s.metric = std::make_unique<Histogram>(*bounds);
      break;
  }
  return s;
}

}  // namespace

Series& MetricsRegistry::Impl::detach(std::string_view name, std::string_view why, Kind kind,
                                      const std::vector<double>* bounds) {
  std::fprintf(stderr, "metrics: %.*s: %.*s; the metric is not exported\n",
               static_cast<int>(name.size()), name.data(), static_cast<int>(why.size()),
               why.data());
  detached.push_back(makeSeries({}, kind, bounds));
  return detached.back();
}

Series& MetricsRegistry::Impl::find(std::string_view name, std::string_view help,
                                    const Labels& unsorted, Kind kind,
                                    const std::vector<double>* bounds) {
  // Label order carries no meaning in Prometheus: {a,b} and {b,a} must be one series.
  Labels labels = unsorted;
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::lock_guard lock(mutex);
  if (!prom::validMetricName(name)) return detach(name, "invalid metric name", kind, bounds);
  for (size_t i = 1; i < labels.size(); ++i) {
    if (labels[i].first == labels[i - 1].first) {
      return detach(name, "duplicate label name", kind, bounds);
    }
  }
  for (const auto& [label, value] : labels) {
    // `le` is the bucket label of a histogram.
    if (!prom::validLabelName(label) || (kind == Kind::Histogram && label == "le")) {
      return detach(name, "invalid label name", kind, bounds);
    }
  }
  auto it = families.find(name);
  if (it == families.end()) {
    Family f{kind, std::string(help), {}, {}};
    if (bounds) f.bounds = normalizedBounds(*bounds);
    it = families.emplace(std::string(name), std::move(f)).first;
  }
  Family& family = it->second;
  if (family.kind != kind) {
    return detach(name, "already registered with another type", kind, bounds);
  }
  std::string key = labelKey(labels);
  auto s = family.series.find(key);
  if (s != family.series.end()) return s->second;
  Series series = makeSeries(labels, kind, bounds);
  if (kind == Kind::Histogram &&
      std::get<std::unique_ptr<Histogram>>(series.metric)->bounds() != family.bounds) {
    return detach(name, "already registered with other bucket bounds", kind, bounds);
  }
  return family.series.emplace(std::move(key), std::move(series)).first->second;
}

MetricsRegistry::MetricsRegistry() : impl_(std::make_unique<Impl>()) {}
MetricsRegistry::~MetricsRegistry() = default;

Counter& MetricsRegistry::counter(std::string_view family, std::string_view help,
                                  const Labels& labels) {
  Series& s = impl_->find(family, help, labels, Kind::Counter, nullptr);
  return *std::get<std::unique_ptr<Counter>>(s.metric);
}

Gauge& MetricsRegistry::gauge(std::string_view family, std::string_view help,
                              const Labels& labels) {
  Series& s = impl_->find(family, help, labels, Kind::Gauge, nullptr);
  return *std::get<std::unique_ptr<Gauge>>(s.metric);
}

Histogram& MetricsRegistry::histogram(std::string_view family, std::string_view help,
                                      const Labels& labels, const std::vector<double>& bounds) {
  Series& s = impl_->find(family, help, labels, Kind::Histogram, &bounds);
  return *std::get<std::unique_ptr<Histogram>>(s.metric);
}

void MetricsRegistry::addCollector(std::function<void(std::string& out)> collector) {
  std::lock_guard lock(impl_->mutex);
  impl_->collectors.push_back(std::move(collector));
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::lock_guard lock(impl_->mutex);
    for (const auto& [name, family] : impl_->families) {
      prom::appendHeader(out, name, family.help, kindName(family.kind));
      for (const auto& [key, series] : family.series) {
        switch (family.kind) {
          case Kind::Counter:
            out += name;
            out += key;
            out += ' ';
            prom::appendUint(out, std::get<std::unique_ptr<Counter>>(series.metric)->value());
            out += '\n';
            break;
          case Kind::Gauge:
            out += name;
            out += key;
            out += ' ';
            prom::appendInt(out, std::get<std::unique_ptr<Gauge>>(series.metric)->value());
            out += '\n';
            break;
          case Kind::Histogram:
            renderHistogram(out, name, series);
            break;
        }
      }
    }
    collectors = impl_->collectors;
  }
  // Outside the lock: a collector may itself look up metrics.
  for (const auto& collect : collectors) collect(out);
  return out;
}

MetricsRegistry& metrics() {
  static MetricsRegistry registry;
  static const bool withProcessMetrics = [] {
    registry.addCollector(renderProcessMetrics);
    return true;
  }();
  (void)withProcessMetrics;
  return registry;
}

const std::vector<double>& latencyBuckets() {
  static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                              0.25,   0.5,   1,      2.5,   5,    10,    30};
  return buckets;
}

}  // namespace consentry::admin
