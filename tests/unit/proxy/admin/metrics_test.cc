#include "proxy/admin/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

namespace consentry::admin {
namespace {

TEST(MetricsRegistry, RendersGoldenText) {
  MetricsRegistry r;
  r.counter("app_requests_total", "Requests by code.", {{"code", "200"}}).inc(3);
  r.counter("app_requests_total", "ignored: the first help wins", {{"code", "404"}}).inc();
  r.gauge("app_connections", "Open connections.").set(-2);
  auto& h = r.histogram("app_latency_seconds", "Latency.", {{"route", "a"}}, {0.5, 0.1, 1});
  h.observe(0.05);
  h.observe(0.1);  // bounds are inclusive
  h.observe(0.7);
  h.observe(3);
  EXPECT_EQ(r.render(),
            "# HELP app_connections Open connections.\n"
            "# TYPE app_connections gauge\n"
            "app_connections -2\n"
            "# HELP app_latency_seconds Latency.\n"
            "# TYPE app_latency_seconds histogram\n"
            "app_latency_seconds_bucket{route=\"a\",le=\"0.1\"} 2\n"
            "app_latency_seconds_bucket{route=\"a\",le=\"0.5\"} 2\n"
            "app_latency_seconds_bucket{route=\"a\",le=\"1\"} 3\n"
            "app_latency_seconds_bucket{route=\"a\",le=\"+Inf\"} 4\n"
            "app_latency_seconds_sum{route=\"a\"} 3.85\n"
            "app_latency_seconds_count{route=\"a\"} 4\n"
            "# HELP app_requests_total Requests by code.\n"
            "# TYPE app_requests_total counter\n"
            "app_requests_total{code=\"200\"} 3\n"
            "app_requests_total{code=\"404\"} 1\n");
}

TEST(MetricsRegistry, SameLabelsGiveSameMetric) {
  MetricsRegistry r;
  Counter& a = r.counter("x_total", "h", {{"k", "v"}});
  Counter& b = r.counter("x_total", "h", {{"k", "v"}});
  Counter& c = r.counter("x_total", "h", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(MetricsRegistry, LabelOrderDoesNotMakeANewSeries) {
  MetricsRegistry r;
  r.counter("o_total", "h", {{"b", "2"}, {"a", "1"}}).inc();
  r.counter("o_total", "h", {{"a", "1"}, {"b", "2"}}).inc();
  r.counter("o_total", "h", {{"a", "1"}, {"a", "2"}}).inc();  // duplicate name: not exported
  EXPECT_EQ(r.render(), "# HELP o_total h\n# TYPE o_total counter\no_total{a=\"1\",b=\"2\"} 2\n");
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  MetricsRegistry r;
  r.counter("esc_total", "line\\one\nline two", {{"path", "a\"b\\c\nd"}}).inc();
  EXPECT_EQ(r.render(),
            "# HELP esc_total line\\\\one\\nline two\n"
            "# TYPE esc_total counter\n"
            "esc_total{path=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(MetricsRegistry, ConflictingRegistrationsAreDetached) {
  MetricsRegistry r;
  r.counter("dup", "h").inc(5);
  Gauge& g = r.gauge("dup", "h");  // another type: usable, but not exported
  g.set(42);
  r.counter("bad name", "h").inc();
  r.counter("ok_total", "h", {{"__reserved", "x"}}).inc();
  r.histogram("hist", "h", {}, {1, 2}).observe(1);
  r.histogram("hist", "h", {{"a", "b"}}, {1, 3}).observe(1);  // other bounds
  r.histogram("hist2", "h", {{"le", "1"}}, {1}).observe(1);
  const std::string text = r.render();
  EXPECT_EQ(g.value(), 42);
  EXPECT_NE(text.find("dup 5\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("42"), std::string::npos) << text;
  EXPECT_EQ(text.find("bad name"), std::string::npos) << text;
  EXPECT_EQ(text.find("__reserved"), std::string::npos) << text;
  EXPECT_EQ(text.find("a=\"b\""), std::string::npos) << text;
  EXPECT_EQ(text.find("hist2_bucket"), std::string::npos) << text;
}

TEST(MetricsRegistry, CollectorsAreAppended) {
  MetricsRegistry r;
  r.gauge("g", "h").set(1);
  int calls = 0;
  r.addCollector([&calls](std::string& out) {
    ++calls;
    out += "# TYPE ext_total counter\next_total 7\n";
  });
  const std::string text = r.render();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(text.substr(text.find("# TYPE ext_total")), "# TYPE ext_total counter\next_total 7\n");
  EXPECT_LT(text.find("g 1\n"), text.find("ext_total"));
}

TEST(Counter, FourThreadsTimesHundredThousandAddUp) {
  MetricsRegistry r;
  Counter& c = r.counter("c_total", "h");
  Histogram& h = r.histogram("h_seconds", "h", {}, latencyBuckets());
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&c, &h, t] {
      setMetricsShard(t + 1);
      for (int i = 0; i < 100'000; ++i) {
        c.inc();
        h.observe(0.001 * static_cast<double>(i % 10));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 400'000u);
  EXPECT_EQ(h.count(), 400'000u);
  uint64_t buckets = 0;
  for (uint64_t b : h.bucketCounts()) buckets += b;
  EXPECT_EQ(buckets, 400'000u);
  // each thread: 10'000 rounds of 0+1+...+9 ms = 450 s
  EXPECT_NEAR(h.sum(), 4 * 450.0, 1e-6);
}

TEST(Counter, ShardsBeyondTheTableWrap) {
  Counter c;
  std::thread t([&c] {
    setMetricsShard(kMetricShards * 3 + 2);
    c.inc(7);
  });
  t.join();
  c.inc(1);
  EXPECT_EQ(c.value(), 8u);
}

// Reference: how many of `values` are <= bound, computed independently of the histogram.
uint64_t countAtMost(const std::vector<double>& values, double bound) {
  uint64_t n = 0;
  for (double v : values) n += v <= bound ? 1 : 0;
  return n;
}

TEST(Histogram, CumulativeBucketsMatchAReferenceCount) {
  std::mt19937 rng(7);
  std::exponential_distribution<double> dist(20.0);
  const std::vector<double>& bounds = latencyBuckets();
  Histogram h(bounds);
  std::vector<double> values;
  for (int i = 0; i < 5000; ++i) {
    double v = dist(rng);
    if (i % 100 == 0) v = bounds[static_cast<size_t>(i / 100) % bounds.size()];  // on the edge
    values.push_back(v);
    h.observe(v);
  }
  std::vector<uint64_t> counts = h.bucketCounts();
  ASSERT_EQ(counts.size(), bounds.size() + 1);
  uint64_t cumulative = 0;
  double sum = 0;
  for (size_t b = 0; b < bounds.size(); ++b) {
    cumulative += counts[b];
    EXPECT_EQ(cumulative, countAtMost(values, bounds[b])) << "le=" << bounds[b];
  }
  EXPECT_EQ(cumulative + counts.back(), values.size());
  for (double v : values) sum += v;
  EXPECT_NEAR(h.sum(), sum, 1e-6 * static_cast<double>(values.size()));
}

TEST(Histogram, BoundsAreSortedDeduplicatedAndFinite) {
  Histogram h({2, 1, 2, INFINITY, NAN, 0.5});
  EXPECT_EQ(h.bounds(), (std::vector<double>{0.5, 1, 2}));
  h.observe(NAN);
  h.observe(-1);
  h.observe(5);
  EXPECT_EQ(h.bucketCounts(), (std::vector<uint64_t>{1, 0, 0, 2}));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_DOUBLE_EQ(h.sum(), 4.0);
}

TEST(LatencyBuckets, SpanHalfAMillisecondToThirtySeconds) {
  const auto& b = latencyBuckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.0005);
  EXPECT_DOUBLE_EQ(b.back(), 30.0);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
}

// Value of an unlabelled sample line `name value` in `text`, or NaN.
double sampleValue(const std::string& text, const std::string& name) {
  size_t pos = text.find("\n" + name + " ");
  if (pos == std::string::npos) return NAN;
  return std::stod(text.substr(pos + name.size() + 2));
}

TEST(ProcessMetrics, ReportPlausibleValues) {
  std::string text = metrics().render();
  EXPECT_GT(sampleValue(text, "process_resident_memory_bytes"), 1024 * 1024);
  EXPECT_GE(sampleValue(text, "process_open_fds"), 3);
  double start = sampleValue(text, "process_start_time_seconds");
  double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);
  EXPECT_NE(text.find("# TYPE consentry_build_info gauge\nconsentry_build_info{version=\""),
            std::string::npos)
      << text;
  // opening a file shows up in process_open_fds
  FILE* f = std::fopen("/proc/self/stat", "r");
  ASSERT_NE(f, nullptr);
  double withFile = sampleValue(metrics().render(), "process_open_fds");
  std::fclose(f);
  EXPECT_EQ(withFile, sampleValue(metrics().render(), "process_open_fds") + 1);
}

}  // namespace
}  // namespace consentry::admin
