// Events/s into the file sink on one sink thread (target >= 1 M/s), and end to end through the
// pipeline (one producer -> outbox -> dispatcher -> file sink thread), and the thread wakeups a
// steady, unsaturated event stream costs.
//
// The files go to a real directory on the project's disk: $CONSENTRY_BENCH_DIR, else the current
// directory (run it from build/release), never the system temp dir, which may be a tmpfs. The
// directory and its file system type are printed in the context lines at the top.

#include <benchmark/benchmark.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/vfs.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "events/event_json.h"
#include "events/pipeline.h"
#include "events/sinks/file_sink.h"
#include "events/sinks/sink_factory.h"
#include "events/uuid7.h"

namespace consentry::events {
namespace {

namespace fs = std::filesystem;

fs::path benchRoot() {
  const char* dir = std::getenv("CONSENTRY_BENCH_DIR");
  return fs::absolute(dir && *dir ? fs::path(dir) : fs::current_path());
}

std::string fileSystemOf(const fs::path& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) != 0) return "unknown";
  switch (static_cast<unsigned long>(st.f_type)) {
    case TMPFS_MAGIC:
      return "tmpfs (memory, not a disk)";
    case EXT4_SUPER_MAGIC:
      return "ext4";
    case XFS_SUPER_MAGIC:
      return "xfs";
    case BTRFS_SUPER_MAGIC:
      return "btrfs";
    case OVERLAYFS_SUPER_MAGIC:
      return "overlayfs";
    default:
      return "f_type 0x" + std::to_string(st.f_type);
  }
}

// Says where the files go before any benchmark runs.
const bool kContext = [] {
  fs::path root = benchRoot();
  benchmark::AddCustomContext("file_sink_dir", root.string() + " (" + fileSystemOf(root) + ")");
  return true;
}();

struct BenchDir {
  BenchDir() {
    std::string tmpl = (benchRoot() / "csy-file-bench-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~BenchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

Event sampleEvent(int i) {
  Event e;
  e.id = newEventId();
  e.time = std::chrono::system_clock::now();
  e.region = "eea";
  e.country = "DE";
  e.consent = ConsentInfo{true, false, true, "cookie", 3};
  e.ip = IpAddress::parse("203.0.113.0");
  e.osName = "Windows";
  e.osVersion = "10";
  e.browserName = "Chrome";
  e.browserVersion = "131";
  e.deviceType = "desktop";
  e.language = "de";
  e.host = "shop.example.com";
  e.path = "/products/" + std::to_string(i);
  e.referrer = "https://search.example";
  e.visitor = "0b6f0c4e9d1f4c7a8e2b5d3f6a9c1e4b";
  return e;
}

void BM_FileSinkWrite(benchmark::State& state) {
  BenchDir dir;
  FileSink::Options o;
  o.name = "bench-file";
  o.path = (dir.path / "events.jsonl").string();
  o.rotateMaxBytes = 64 << 20;  // keeps the disk footprint bounded; rotation cost included
  auto sink = FileSink::open(o);
  if (!sink) {
    state.SkipWithError(sink.error().message.c_str());
    return;
  }
  const auto batchSize = static_cast<int>(state.range(0));
  std::vector<EncodedEvent> batch;
  for (int i = 0; i < batchSize; ++i) {
    Event e = sampleEvent(i);
    std::string json;
    appendEventJson(e, json);
    batch.push_back({e.id.str(), e.visitor->str(), e.region, json});
  }
  int64_t bytes = 0;
  for (const auto& e : batch) bytes += static_cast<int64_t>(e.payload.size() + 1);
  int64_t rounds = 0;
  for (auto _ : state) {
    (*sink)->write(batch);
    if (++rounds % 64 == 0) (*sink)->tick(std::chrono::steady_clock::now());  // fsync: 1s
    // Rotated files are removed as we go so a long run cannot fill the disk.
    if (rounds % 512 == 0) {
      state.PauseTiming();
      for (const auto& f : fs::directory_iterator(dir.path)) {
        if (f.path().filename() != "events.jsonl") fs::remove(f.path());
      }
      state.ResumeTiming();
    }
  }
  // What the sink thread did not wait for: the disk still had to write it. flush() waits for the
  // syncer, so this is how far durability lagged behind the writes at the end of the run.
  auto flushStart = std::chrono::steady_clock::now();
  (*sink)->flush();
  state.counters["sync_lag_s"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - flushStart).count();
  state.SetItemsProcessed(state.iterations() * batchSize);
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_FileSinkWrite)->Arg(64)->Arg(1024)->UseRealTime();

// A started pipeline with one file sink writing into `dir`.
Result<std::unique_ptr<EventPipeline>> startPipeline(const BenchDir& dir, PipelineOptions options) {
  config::Config c;
  config::Sink s;
  s.name = "bench-pipeline";
  s.path = (dir.path / "events.jsonl").string();
  c.sinks = {s};
  auto p = EventPipeline::create(c, std::move(options), makeSink);
  if (p) (*p)->start();
  return p;
}

// Producer pushes `n` events; the clock stops when flushAndStop has written them all.
void BM_PipelineToFile(benchmark::State& state) {
  const int n = 200000;
  for (auto _ : state) {
    state.PauseTiming();
    BenchDir dir;
    auto p = startPipeline(dir, {.workers = 1, .outboxCapacity = 1 << 16});
    if (!p) {
      state.SkipWithError(p.error().message.c_str());
      return;
    }
    std::vector<Event> events;
    for (int i = 0; i < n; ++i) events.push_back(sampleEvent(i));
    state.ResumeTiming();
    Outbox& outbox = (*p)->outbox(0);
    for (auto& e : events) {
      // A full ring drops; the bench wants the sustained rate, so it waits for room instead.
      while (outbox.sizeApprox() >= outbox.capacity()) std::this_thread::yield();
      outbox.push(e);
    }
    (*p)->flushAndStop(std::chrono::steady_clock::now() + std::chrono::seconds(60));
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_PipelineToFile)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

long voluntarySwitches() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_nvcsw;
}

// A worker producing 100 k events/s (one every 10 us, far below saturation) for 0.3 s; the
// counter is the process's voluntary context switches (futex sleeps of the dispatcher and the
// sink thread) per 1000 events. Arg: the pipeline's batchInterval in microseconds; 50 is the
// dispatcher's previous cadence.
void BM_PipelinePacedWakeups(benchmark::State& state) {
  constexpr int kEvents = 30000;
  constexpr auto kGap = std::chrono::microseconds(10);
  long switches = 0;
  for (auto _ : state) {
    state.PauseTiming();
    BenchDir dir;
    PipelineOptions options{.workers = 1, .outboxCapacity = 1 << 14};
    options.batchInterval = std::chrono::microseconds(state.range(0));
    auto p = startPipeline(dir, options);
    if (!p) {
      state.SkipWithError(p.error().message.c_str());
      return;
    }
    std::vector<Event> events;
    for (int i = 0; i < kEvents; ++i) events.push_back(sampleEvent(i));
    state.ResumeTiming();
    const long before = voluntarySwitches();
    Outbox& outbox = (*p)->outbox(0);
    auto next = std::chrono::steady_clock::now();
    for (auto& e : events) {
      while (std::chrono::steady_clock::now() < next) {
      }
      next += kGap;
      outbox.push(e);
    }
    switches += voluntarySwitches() - before;
    (*p)->flushAndStop(std::chrono::steady_clock::now() + std::chrono::seconds(60));
  }
  state.counters["csw_per_1k_events"] =
      1000.0 * static_cast<double>(switches) / static_cast<double>(state.iterations() * kEvents);
  state.SetItemsProcessed(state.iterations() * kEvents);
}
BENCHMARK(BM_PipelinePacedWakeups)
    ->Arg(50)
    ->Arg(1000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace
}  // namespace consentry::events
