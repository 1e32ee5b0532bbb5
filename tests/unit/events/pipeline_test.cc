#include "events/pipeline.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "events/event_json.h"
#include "events/event_metrics.h"
#include "random_event.h"
#include "tests/helpers/simdjson_ok.h"

namespace consentry::events {
namespace {

using consentry::test_support::ok;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// What one test sink saw; outlives the sink, which the pipeline owns.
struct Record {
  std::mutex mutex;
  std::vector<EncodedEvent> written;
  std::vector<EncodedEvent> overflowed;
  std::set<std::thread::id> writerThreads;
  int reopens = 0, flushes = 0, ticks = 0, created = 0;
  std::chrono::milliseconds writeDelay{0};
  std::atomic<bool> blocked{false};  // write() hangs while set: a stuck destination
  bool spool = false;
  std::optional<std::string> failure;
};

class TestSink final : public Sink {
 public:
  TestSink(std::string name, std::shared_ptr<Record> r)
      : name_(std::move(name)), r_(std::move(r)) {}
  std::string_view name() const override { return name_; }
  void write(std::span<const EncodedEvent> batch) override {
    std::chrono::milliseconds delay;
    {
      std::lock_guard lock(r_->mutex);
      r_->written.insert(r_->written.end(), batch.begin(), batch.end());
      r_->writerThreads.insert(std::this_thread::get_id());
      delay = r_->writeDelay;
    }
    std::this_thread::sleep_for(delay);
    while (r_->blocked.load()) std::this_thread::sleep_for(1ms);
  }
  void tick(Clock::time_point) override {
    std::lock_guard lock(r_->mutex);
    ++r_->ticks;
  }
  void flush() override {
    std::lock_guard lock(r_->mutex);
    ++r_->flushes;
  }
  void reopen() override {
    std::lock_guard lock(r_->mutex);
    ++r_->reopens;
  }
  bool overflow(std::span<const EncodedEvent> batch) override {
    std::lock_guard lock(r_->mutex);
    if (!r_->spool) return false;
    r_->overflowed.insert(r_->overflowed.end(), batch.begin(), batch.end());
    return true;
  }
  std::optional<std::string> readinessFailure() const override {
    std::lock_guard lock(r_->mutex);
    return r_->failure;
  }

 private:
  std::string name_;
  std::shared_ptr<Record> r_;
};

// Test sinks by name; the maker creates (or re-creates after a reload) the sink for a section.
struct Sinks {
  std::map<std::string, std::shared_ptr<Record>> records;
  SinkMaker maker() {
    return [this](const config::Sink& s) -> Result<std::unique_ptr<Sink>> {
      auto& r = records[s.name];
      if (!r) r = std::make_shared<Record>();
      ++r->created;
      return std::unique_ptr<Sink>(std::make_unique<TestSink>(s.name, r));
    };
  }
  Record& operator[](const std::string& name) { return *records.at(name); }
};

config::Sink sink(std::string name, config::EventFormat format = config::EventFormat::Json) {
  config::Sink s;
  s.name = std::move(name);
  s.format = format;
  return s;
}

config::Region region(std::string name, std::vector<std::string> sinks) {
  config::Region r;
  r.name = std::move(name);
  r.sinks = std::move(sinks);
  return r;
}

Event eventIn(const std::string& regionName, int n) {
  Event e;
  e.id = newEventId();
  e.time = std::chrono::system_clock::now();
  e.region = regionName;
  e.path = "/p/" + std::to_string(n);
  e.visitor = "visitor-" + std::to_string(n % 10);
  return e;
}

TEST(Pipeline, ManyProducersFlushAndStopLosesNothing) {
  config::Config c;
  c.sinks = {sink("a"), sink("b", config::EventFormat::CloudEvents)};
  c.regions = {region("eea", {"a"}), region("default", {})};
  Sinks sinks;
  auto p = EventPipeline::create(c, {.workers = 4, .outboxCapacity = 4096, .maxBatch = 64},
                                 sinks.maker());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EventPipeline& pipeline = **p;
  pipeline.start();
  constexpr int kPerWorker = 40000;
  std::vector<std::vector<std::string>> accepted(4);
  std::vector<std::thread> workers;
  for (size_t w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kPerWorker; ++i) {
        Event e = eventIn(i % 3 == 0 ? "eea" : "default", i);
        std::string id = e.id.str();
        if (pipeline.outbox(w).push(e)) accepted[w].push_back(id);
        if (i % 1000 == 0) std::this_thread::yield();
      }
    });
  }
  for (auto& t : workers) t.join();
  ASSERT_TRUE(pipeline.flushAndStop(Clock::now() + 30s));

  std::set<std::string> all, eea;
  for (auto& v : accepted) all.insert(v.begin(), v.end());
  EXPECT_GT(all.size(), 4u * kPerWorker / 10) << "the test needs events to get through";
  std::set<std::string> gotA, gotB;
  simdjson::dom::parser parser;
  for (const auto& e : sinks["a"].written) {
    gotA.insert(e.id);
    simdjson::dom::element doc = ok(parser.parse(e.payload));
    EXPECT_EQ(ok(doc["id"].get_string()), e.id);
    EXPECT_EQ(ok(doc["schema"].get_string()), "consentry.event/1");
    EXPECT_EQ(ok(doc["page"]["path"].get_string()).substr(0, 3), "/p/");
  }
  for (const auto& e : sinks["b"].written) {
    gotB.insert(e.id);
    simdjson::dom::element doc = ok(parser.parse(e.payload));
    EXPECT_EQ(ok(doc["specversion"].get_string()), "1.0");
    EXPECT_EQ(ok(doc["data"]["id"].get_string()), e.id);
    EXPECT_EQ(e.region, "default") << "eea events never reach b";
    EXPECT_EQ(e.key.rfind("visitor-", 0), 0u);
  }
  EXPECT_EQ(gotA.size(), sinks["a"].written.size()) << "no duplicates";
  EXPECT_EQ(gotB.size(), sinks["b"].written.size());
  std::set<std::string> union_ = gotA;
  union_.insert(gotB.begin(), gotB.end());
  EXPECT_EQ(union_, all);  // every accepted event arrived somewhere ...
  for (const auto& e : sinks["a"].written) EXPECT_TRUE(all.count(e.id));
  size_t defaults = 0;
  for (const auto& e : sinks["a"].written) defaults += e.region == "default";
  EXPECT_EQ(defaults, gotB.size());  // ... and default events reached both sinks
  EXPECT_EQ(sinks["a"].flushes, 1);
  EXPECT_EQ(sinks["a"].writerThreads.size(), 1u) << "a sink is written from its own thread only";
}

// Voluntary context switches of every thread of this process so far.
uint64_t voluntarySwitches() {
  uint64_t total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream status(task.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) total += std::stoull(line.substr(24));
    }
  }
  return total;
}

TEST(Pipeline, IdleDispatcherSleepsAndAPushWakesIt) {
  config::Config c;
  c.sinks = {sink("a")};
  Sinks sinks;
  // A long own-wakeup period: an event that waited for it instead of the doorbell shows.
  auto p =
      EventPipeline::create(c, {.workers = 2, .idleAfter = 20ms, .idleSleep = 20s}, sinks.maker());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EventPipeline& pipeline = **p;
  pipeline.start();
  auto written = [&] {
    std::lock_guard lock(sinks["a"].mutex);
    return sinks["a"].written.size();
  };

  // Asleep: the process (dispatcher, one sink thread ticking every 100 ms, this thread) barely
  // wakes up; a polling dispatcher alone would wake every 5 ms.
  std::this_thread::sleep_for(100ms);
  const uint64_t before = voluntarySwitches();
  std::this_thread::sleep_for(500ms);
  EXPECT_LT(voluntarySwitches() - before, 25u);

  std::mt19937 rng(7);
  Clock::duration worst{};
  for (int i = 0; i < 20; ++i) {
    // Sometimes well asleep, sometimes just dozing off, sometimes still polling.
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 40));
    const size_t had = written();
    const Clock::time_point pushed = Clock::now();
    ASSERT_TRUE(pipeline.outbox(static_cast<size_t>(i % 2)).push(eventIn("default", i)));
    while (written() == had && Clock::now() - pushed < 10s) std::this_thread::sleep_for(100us);
    ASSERT_EQ(written(), had + 1) << "event " << i << " was not delivered";
    worst = std::max(worst, Clock::now() - pushed);
  }
  EXPECT_LT(worst, 2s) << "a push must wake a sleeping dispatcher";
  ASSERT_TRUE(pipeline.flushAndStop(Clock::now() + 10s));
}

TEST(Pipeline, ResidencyPropertyOverRandomEvents) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 20; ++round) {
    config::Config c;
    std::vector<std::string> names;
    for (size_t i = 0; i < 1 + rng() % 5; ++i) {
      names.push_back("s" + std::to_string(i));
      c.sinks.push_back(sink(
          names.back(), rng() % 2 ? config::EventFormat::Json : config::EventFormat::CloudEvents));
    }
    std::map<std::string, std::set<std::string>> allowed;
    std::vector<std::string> regionNames = {"default"};
    for (int r = 0; r < 4; ++r) {
      std::vector<std::string> mine;
      for (const auto& n : names) {
        if (rng() % 2) mine.push_back(n);
      }
      std::string rn = "r" + std::to_string(r);
      c.regions.push_back(region(rn, mine));
      regionNames.push_back(rn);
      allowed[rn] = mine.empty() ? std::set<std::string>(names.begin(), names.end())
                                 : std::set<std::string>(mine.begin(), mine.end());
    }
    allowed["default"] = std::set<std::string>(names.begin(), names.end());
    Sinks sinks;
    auto p = EventPipeline::create(c, {.workers = 2, .outboxCapacity = 4096}, sinks.maker());
    ASSERT_TRUE(p.ok());
    (*p)->start();
    std::map<std::string, std::string> regionOf;
    // Events are serialized once on the worker and wrapped for CloudEvents by the dispatcher:
    // what each sink gets must be byte for byte what serializing the event for its format gives.
    std::map<std::string, std::array<std::string, 3>> expected;  // id -> json, cloud, key
    const std::string source = defaultCloudEventSource();
    for (int i = 0; i < 2000; ++i) {
      Event e = testing::randomEvent(rng, regionNames);
      regionOf[e.id.str()] = e.region;
      auto& [json, cloud, key] = expected[e.id.str()];
      appendEventJson(e, json);
      appendCloudEventJson(e, source, cloud);
      key = e.visitor ? e.visitor->str() : "";
      ASSERT_TRUE((*p)->outbox(static_cast<size_t>(i % 2)).push(e));
    }
    ASSERT_TRUE((*p)->flushAndStop(Clock::now() + 30s));
    std::map<std::string, std::set<std::string>> reached;  // id -> sinks
    for (const auto& n : names) {
      for (const auto& e : sinks[n].written) {
        EXPECT_TRUE(allowed[regionOf.at(e.id)].count(n)) << e.region << " leaked into " << n;
        EXPECT_EQ(e.region, regionOf.at(e.id));
        const bool cloud =
            c.sinks[std::stoul(n.substr(1))].format == config::EventFormat::CloudEvents;
        EXPECT_EQ(e.payload, expected.at(e.id)[cloud ? 1 : 0]) << n;
        EXPECT_EQ(e.key, expected.at(e.id)[2]);
        reached[e.id].insert(n);
      }
    }
    for (const auto& [id, reg] : regionOf) EXPECT_EQ(reached[id], allowed[reg]) << id;
  }
}

TEST(Pipeline, StuckSinkNeverBlocksTheOthers) {
  config::Config c;
  c.sinks = {sink("fast"), sink("stuck"), sink("spooling")};
  Sinks sinks;
  auto p = EventPipeline::create(
      c, {.workers = 1, .outboxCapacity = 1 << 16, .sinkQueueEvents = 500}, sinks.maker());
  ASSERT_TRUE(p.ok());
  sinks["stuck"].blocked = true;
  sinks["spooling"].blocked = true;
  sinks["spooling"].spool = true;
  auto& metrics = EventMetrics::global();
  uint64_t fastDropped0 = metrics.sink("fast").dropped,
           stuckDropped0 = metrics.sink("stuck").dropped;
  (*p)->start();
  constexpr int kN = 20000;
  for (int i = 0; i < kN; ++i) {
    ASSERT_TRUE((*p)->outbox(0).push(eventIn("default", i)));
    if (i % 100 == 99) std::this_thread::sleep_for(200us);  // don't outrun the ring itself
  }
  // While two destinations hang, every event is still accounted for at the fast sink.
  auto until = Clock::now() + 60s;
  for (;;) {
    size_t fast;
    {
      std::lock_guard lock(sinks["fast"].mutex);
      fast = sinks["fast"].written.size();
    }
    if (fast + (metrics.sink("fast").dropped - fastDropped0) == kN) break;
    ASSERT_LT(Clock::now(), until) << fast;
    std::this_thread::sleep_for(1ms);
  }
  {
    std::lock_guard lock(sinks["fast"].mutex);
    EXPECT_GT(sinks["fast"].written.size(), size_t{kN} / 2);
  }
  sinks["stuck"].blocked = false;
  sinks["spooling"].blocked = false;
  ASSERT_TRUE((*p)->flushAndStop(Clock::now() + 30s));
  uint64_t stuckDropped = metrics.sink("stuck").dropped - stuckDropped0;
  EXPECT_GT(stuckDropped, 0u);
  EXPECT_EQ(sinks["stuck"].written.size() + stuckDropped, size_t{kN});
  auto& spooling = sinks["spooling"];
  EXPECT_GT(spooling.overflowed.size(), 0u);
  EXPECT_EQ(spooling.written.size() + spooling.overflowed.size(), size_t{kN});
}

TEST(Pipeline, ReconfigureLosesNothingAndKeepsUnchangedSinks) {
  config::Config c1;
  c1.sinks = {sink("keep"), sink("old")};
  Sinks sinks;
  auto p = EventPipeline::create(c1, {.workers = 1, .outboxCapacity = 1 << 16}, sinks.maker());
  ASSERT_TRUE(p.ok());
  (*p)->start();
  std::atomic<bool> stop{false};
  std::set<std::string> accepted;
  std::thread worker([&] {
    for (int i = 0; !stop.load(); ++i) {
      Event e = eventIn("default", i);
      std::string id = e.id.str();
      if ((*p)->outbox(0).push(e)) accepted.insert(id);
      if (i % 50 == 0) std::this_thread::sleep_for(50us);
    }
  });
  std::this_thread::sleep_for(100ms);
  config::Config c2;
  c2.sinks = {sink("keep"), sink("new")};
  ASSERT_TRUE((*p)->reconfigure(c2).ok());
  {
    std::lock_guard lock(sinks["old"].mutex);
    EXPECT_EQ(sinks["old"].flushes, 1) << "a retired sink is flushed before reconfigure returns";
  }
  config::Config bad;
  bad.sinks = {sink("keep")};
  bad.regions = {region("eea", {"missing"})};
  EXPECT_FALSE((*p)->reconfigure(bad).ok());
  std::this_thread::sleep_for(100ms);
  stop = true;
  worker.join();
  ASSERT_TRUE((*p)->flushAndStop(Clock::now() + 30s));

  EXPECT_EQ(sinks["keep"].created, 1) << "unchanged sink kept across the reload";
  std::set<std::string> keep, moved;
  for (const auto& e : sinks["keep"].written) keep.insert(e.id);
  for (const auto& e : sinks["old"].written) moved.insert(e.id);
  size_t oldCount = moved.size();
  for (const auto& e : sinks["new"].written) moved.insert(e.id);
  EXPECT_EQ(keep, accepted);
  EXPECT_EQ(moved, accepted);  // old and new together saw every event exactly once
  EXPECT_EQ(oldCount + sinks["new"].written.size(), accepted.size());
  EXPECT_GT(oldCount, 0u);
  EXPECT_GT(sinks["new"].written.size(), 0u);
}

TEST(Pipeline, ReopenReadinessAndDefaultSink) {
  config::Config c;  // no sinks: the default file sink
  Sinks sinks;
  std::vector<config::Sink> made;
  SinkMaker maker = [&](const config::Sink& s) {
    made.push_back(s);
    return sinks.maker()(s);
  };
  auto p = EventPipeline::create(c, {}, maker);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].type, config::SinkType::File);
  EXPECT_EQ(made[0].path, "events/events.jsonl");
  EXPECT_TRUE((*p)->readiness().has_value()) << "not ready before start";
  (*p)->start();
  EXPECT_FALSE((*p)->readiness().has_value());
  Record& r = sinks[made[0].name];
  (*p)->reopen();
  {
    std::lock_guard lock(r.mutex);
    r.failure = "disk on fire";
  }
  auto until = Clock::now() + 5s;
  while (Clock::now() < until && !(*p)->readiness()) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE((*p)->readiness().has_value());
  EXPECT_NE((*p)->readiness()->find("disk on fire"), std::string::npos);
  EXPECT_TRUE((*p)->flushAndStop(Clock::now() + 5s));
  EXPECT_EQ(r.reopens, 1);
  EXPECT_GT(r.ticks, 0);
  uint64_t before = EventMetrics::global().droppedCount(DropReason::Stopped);
  EXPECT_FALSE((*p)->outbox(0).push(eventIn("default", 1)));
  EXPECT_EQ(EventMetrics::global().droppedCount(DropReason::Stopped), before + 1);
}

TEST(Pipeline, CreateFailsOnBadSinkOrRoute) {
  Sinks sinks;
  config::Config dup;
  dup.sinks = {sink("x"), sink("x")};
  EXPECT_FALSE(EventPipeline::create(dup, {}, sinks.maker()).ok());
  config::Config c;
  c.sinks = {sink("x")};
  auto failing = [](const config::Sink&) -> Result<std::unique_ptr<Sink>> {
    return makeError("cannot open");
  };
  auto p = EventPipeline::create(c, {}, failing);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message, "cannot open");
}

TEST(EventMetrics, RendersPrometheusLines) {
  EventMetrics& m = EventMetrics::global();
  m.sink("metrics-test").written += 5;
  m.sink("metrics-test").spoolBytes = 1234;
  std::string text;
  m.renderPrometheus(text);
  EXPECT_NE(text.find("# TYPE consentry_events_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("consentry_events_total{sink=\"metrics-test\",result=\"written\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("consentry_spool_bytes{sink=\"metrics-test\"} 1234\n"), std::string::npos);
  EXPECT_NE(text.find("consentry_events_dropped_total{reason=\"outbox_full\"} "),
            std::string::npos);
  EXPECT_EQ(&m.sink("metrics-test"), &m.sink("metrics-test"));
}

}  // namespace
}  // namespace consentry::events
