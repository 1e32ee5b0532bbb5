#include "events/sinks/file_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "events/event_json.h"
#include "events/pipeline.h"
#include "events/sinks/sink_factory.h"
#include "events/sinks/stdout_sink.h"
#include "events/uuid7.h"
#include "tests/helpers/temp_dir.h"

namespace consentry::events {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using test_support::TempDir;

std::vector<std::string> readLines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The live file and its rotated siblings, oldest first: <path>.<stamp> then .1, .2, ...
std::vector<fs::path> filesOf(const fs::path& live) {
  std::vector<std::pair<std::pair<std::string, int>, fs::path>> rotated;
  std::string prefix = live.filename().string() + ".";
  for (const auto& entry : fs::directory_iterator(live.parent_path())) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    std::string rest = name.substr(prefix.size());
    std::string stamp = rest.substr(0, 16);
    int n = rest.size() > 17 ? std::stoi(rest.substr(17)) : 0;
    rotated.push_back({{stamp, n}, entry.path()});
  }
  std::sort(rotated.begin(), rotated.end());
  std::vector<fs::path> out;
  for (auto& r : rotated) out.push_back(r.second);
  if (fs::exists(live)) out.push_back(live);
  return out;
}

std::vector<EncodedEvent> batchOf(int from, int count, size_t payloadBytes = 0) {
  std::vector<EncodedEvent> batch;
  for (int i = from; i < from + count; ++i) {
    std::string payload = "{\"n\":" + std::to_string(i) + "}";
    if (payload.size() < payloadBytes) {
      payload = "{\"n\":" + std::to_string(i) + ",\"pad\":\"" +
                std::string(payloadBytes - payload.size() - 10, 'x') + "\"}";
    }
    batch.push_back({"id" + std::to_string(i), "", "default", payload});
  }
  return batch;
}

FileSink::Options options(const fs::path& path) {
  FileSink::Options o;
  o.name = "file-test";
  o.path = path.string();
  return o;
}

TEST(FileSink, AppendsJsonLinesAndCreatesDirectories) {
  TempDir dir;
  fs::path path = dir.path() / "a" / "b" / "events.jsonl";
  auto sink = FileSink::open(options(path));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  uint64_t written0 = EventMetrics::global().sink("file-test").written;
  (*sink)->write(batchOf(0, 3));
  (*sink)->write(batchOf(3, 2));
  // Handed to the kernel at the end of each batch: visible without flush().
  EXPECT_EQ(readLines(path), (std::vector<std::string>{"{\"n\":0}", "{\"n\":1}", "{\"n\":2}",
                                                       "{\"n\":3}", "{\"n\":4}"}));
  EXPECT_EQ(EventMetrics::global().sink("file-test").written - written0, 5u);
  EXPECT_EQ((fs::status(path).permissions() & fs::perms::others_read), fs::perms::none);
  sink->reset();
  // A restart appends.
  auto again = FileSink::open(options(path));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->currentBytes(), fs::file_size(path));
  (*again)->write(batchOf(5, 1));
  EXPECT_EQ(readLines(path).size(), 6u);
}

TEST(FileSink, LargeBatchesGoThroughTheBuffer) {
  TempDir dir;
  fs::path path = dir.path() / "big.jsonl";
  auto o = options(path);
  o.bufferBytes = 4096;  // many buffer flushes inside one batch
  o.fsync = 0ms;         // and an fdatasync after each batch
  auto sink = FileSink::open(o);
  ASSERT_TRUE(sink.ok());
  (*sink)->write(batchOf(0, 5000, 100));
  auto lines = readLines(path);
  ASSERT_EQ(lines.size(), 5000u);
  for (int i = 0; i < 5000; i += 499) {
    EXPECT_EQ(lines[i].rfind("{\"n\":" + std::to_string(i) + ",", 0), 0u) << lines[i];
  }
}

TEST(FileSink, RotatesBySize) {
  TempDir dir;
  fs::path path = dir.path() / "events.jsonl";
  auto o = options(path);
  o.rotateMaxBytes = 1000;
  auto sink = FileSink::open(o);
  ASSERT_TRUE(sink.ok());
  for (int i = 0; i < 35; i += 5) (*sink)->write(batchOf(i, 5, 100));  // 101 bytes a line
  (*sink)->flush();
  auto files = filesOf(path);
  ASSERT_EQ(files.size(), 4u);  // 9 + 9 + 9 + 8 lines
  std::vector<std::string> all;
  for (const auto& f : files) {
    EXPECT_LE(fs::file_size(f), 1000u) << f;
    auto lines = readLines(f);
    EXPECT_FALSE(lines.empty());
    all.insert(all.end(), lines.begin(), lines.end());
  }
  ASSERT_EQ(all.size(), 35u);
  for (int i = 0; i < 35; ++i) {
    EXPECT_EQ(all[i].rfind("{\"n\":" + std::to_string(i) + ",", 0), 0u) << "order kept";
  }
  // Rotated names: <path>.<yyyymmddThhmmssZ>[.n]
  std::string rotated = files[0].filename().string();
  ASSERT_EQ(rotated.size(), std::string("events.jsonl.20261129T010203Z").size()) << rotated;
  EXPECT_EQ(rotated[21], 'T');
  EXPECT_EQ(rotated.back(), 'Z');
}

TEST(FileSink, OversizedLineStillWritten) {
  TempDir dir;
  fs::path path = dir.path() / "events.jsonl";
  auto o = options(path);
  o.rotateMaxBytes = 50;
  auto sink = FileSink::open(o);
  ASSERT_TRUE(sink.ok());
  (*sink)->write(batchOf(0, 3, 200));
  auto files = filesOf(path);
  EXPECT_EQ(files.size(), 3u) << "one line per file, none lost, no empty files";
  for (const auto& f : files) EXPECT_EQ(readLines(f).size(), 1u);
}

TEST(FileSink, RotatesByAge) {
  TempDir dir;
  fs::path path = dir.path() / "events.jsonl";
  auto o = options(path);
  o.rotateMaxAge = 1h;
  auto sink = FileSink::open(o);
  ASSERT_TRUE(sink.ok());
  (*sink)->tick(Clock::now() + 2h);
  EXPECT_EQ(filesOf(path).size(), 1u) << "an empty file is not rotated";
  (*sink)->write(batchOf(0, 2));
  (*sink)->tick(Clock::now() + 30min);
  EXPECT_EQ(filesOf(path).size(), 1u) << "too young";
  (*sink)->tick(Clock::now() + 61min);
  auto files = filesOf(path);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(readLines(files[0]).size(), 2u);
  EXPECT_EQ(fs::file_size(path), 0u);
  (*sink)->write(batchOf(2, 1));
  EXPECT_EQ(readLines(path), std::vector<std::string>{"{\"n\":2}"});
}

TEST(FileSink, ReopenAfterLogrotateMovedTheFile) {
  TempDir dir;
  fs::path path = dir.path() / "events.jsonl";
  auto sink = FileSink::open(options(path));
  ASSERT_TRUE(sink.ok());
  (*sink)->write(batchOf(0, 2));
  fs::rename(path, dir.path() / "events.jsonl.1");  // what logrotate does before SIGUSR1
  (*sink)->write(batchOf(2, 1));                    // still goes to the moved file
  (*sink)->reopen();
  (*sink)->write(batchOf(3, 2));
  EXPECT_EQ(readLines(dir.path() / "events.jsonl.1").size(), 3u);
  EXPECT_EQ(readLines(path), (std::vector<std::string>{"{\"n\":3}", "{\"n\":4}"}));
  EXPECT_EQ((*sink)->currentBytes(), fs::file_size(path));
}

TEST(FileSink, OpenFailureIsAnError) {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  auto sink = FileSink::open(options(dir.path() / "file" / "events.jsonl"));
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.error().message.find("file-test"), std::string::npos) << sink.error().message;
}

TEST(FileSink, FailedBackgroundSyncMakesTheSinkNotReady) {
  // A FIFO accepts writes but not fdatasync (EINVAL): the syncer thread's failure has to reach
  // readiness through tick().
  TempDir dir;
  fs::path path = dir.path() / "events.fifo";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  int reader = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  auto o = options(path);
  o.fsync = 1ms;
  auto sink = FileSink::open(o);
  ASSERT_TRUE(sink.ok());
  (*sink)->write(batchOf(0, 2));
  EXPECT_FALSE((*sink)->readinessFailure());
  (*sink)->tick(Clock::now() + 1s);  // queues the sync
  (*sink)->flush();                  // waits for it
  (*sink)->tick(Clock::now() + 2s);  // picks up its error
  auto failure = (*sink)->readinessFailure();
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("fdatasync"), std::string::npos) << *failure;
  ::close(reader);
}

TEST(FileSink, FactoryBuildsFileAndStdoutSinks) {
  TempDir dir;
  config::Sink c;
  c.name = "factory-file";
  c.type = config::SinkType::File;
  c.path = (dir.path() / "f.jsonl").string();
  auto file = makeSink(c);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ((*file)->name(), "factory-file");
  EXPECT_TRUE(fs::exists(c.path));
  c.type = config::SinkType::Stdout;
  c.name = "factory-stdout";
  auto out = makeSink(c);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ((*out)->name(), "factory-stdout");
}

TEST(StdoutSink, WritesLinesToItsFd) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  StdoutSink sink("stdout-test", fds[1]);
  sink.write(batchOf(0, 3));
  ::close(fds[1]);
  std::string got;
  char buf[256];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  EXPECT_EQ(got, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
  EXPECT_FALSE(sink.readinessFailure());
}

// End to end: workers -> outboxes -> dispatcher -> file sinks with rotation; after flushAndStop
// the files hold exactly the accepted events, each only in its region's file.
TEST(FileSink, PipelineFlushAndStopLosesNothing) {
  TempDir dir;
  config::Config c;
  for (const char* name : {"eu", "rest"}) {
    config::Sink s;
    s.name = std::string("e2e-") + name;
    s.type = config::SinkType::File;
    s.path = (dir.path() / name / "events.jsonl").string();
    s.rotateMaxBytes = 256 * 1024;
    c.sinks.push_back(s);
  }
  config::Region eea;
  eea.name = "eea";
  eea.sinks = {"e2e-eu"};
  config::Region other;
  other.name = "default";
  other.sinks = {"e2e-rest"};
  c.regions = {eea, other};
  auto p = EventPipeline::create(c, {.workers = 3, .outboxCapacity = 1 << 15}, makeSink);
  ASSERT_TRUE(p.ok()) << p.error().message;
  (*p)->start();
  constexpr int kPerWorker = 30000;
  std::vector<std::map<std::string, std::string>> accepted(3);  // id -> region
  std::vector<std::thread> workers;
  for (size_t w = 0; w < 3; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kPerWorker; ++i) {
        Event e;
        e.id = newEventId();
        e.time = std::chrono::system_clock::now();
        e.region = (i + static_cast<int>(w)) % 4 == 0 ? "eea" : "default";
        e.path = "/w" + std::to_string(w) + "/" + std::to_string(i);
        std::string id(e.id.view()), region = e.region;
        if ((*p)->outbox(w).push(e)) accepted[w][id] = region;
        if (i % 256 == 0) std::this_thread::sleep_for(100us);
      }
    });
  }
  for (auto& t : workers) t.join();
  ASSERT_TRUE((*p)->flushAndStop(Clock::now() + 30s));

  std::map<std::string, std::string> all;
  for (auto& m : accepted) all.insert(m.begin(), m.end());
  EXPECT_GT(all.size(), size_t{kPerWorker});
  std::map<std::string, std::string> seen;
  size_t files = 0;
  for (const char* name : {"eu", "rest"}) {
    for (const auto& f : filesOf(dir.path() / name / "events.jsonl")) {
      ++files;
      for (const auto& line : readLines(f)) {
        size_t at = line.find("\"id\":\"");
        ASSERT_NE(at, std::string::npos) << line;
        std::string id = line.substr(at + 6, 36);
        EXPECT_TRUE(seen.emplace(id, name).second) << "duplicate " << id;
        EXPECT_EQ(all.count(id), 1u);
        EXPECT_EQ(all[id] == "eea", std::string(name) == "eu") << "residency: " << line;
      }
    }
  }
  EXPECT_GT(files, 2u) << "rotation happened during the run";
  EXPECT_EQ(seen.size(), all.size());
}

}  // namespace
}  // namespace consentry::events
