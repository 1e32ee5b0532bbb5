#include "events/sinks/kafka_sink.h"
#include "tests/helpers/temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

namespace consentry::events {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using test_support::TempDir;

// tests/helpers/kafka_mock_cluster as a child process, driven through its stdin.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 1) {
    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(in[0], 0);
      ::dup2(out[1], 1);
      ::close(in[1]);
      ::close(out[0]);
      std::string n = std::to_string(brokers);
      ::execl(CSY_KAFKA_MOCK_CLUSTER, CSY_KAFKA_MOCK_CLUSTER, n.c_str(), nullptr);
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    toChild_ = ::fdopen(in[1], "w");
    fromChild_ = ::fdopen(out[0], "r");
    bootstrap_ = readLine();
  }
  ~MockCluster() {
    if (toChild_) std::fclose(toChild_);  // EOF: the helper exits
    if (pid_ > 0) {
      int status = 0;
      for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(20ms);
      }
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, &status, 0);
      }
    }
    if (fromChild_) std::fclose(fromChild_);
  }
  const std::string& bootstrap() const { return bootstrap_; }
  std::string command(const std::string& line) {
    std::fprintf(toChild_, "%s\n", line.c_str());
    std::fflush(toChild_);
    return readLine();
  }

 private:
  std::string readLine() {
    char buf[1024];
    if (!fromChild_ || !std::fgets(buf, sizeof buf, fromChild_)) return "";
    std::string s(buf);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  pid_t pid_ = -1;
  FILE* toChild_ = nullptr;
  FILE* fromChild_ = nullptr;
  std::string bootstrap_;
};

bool haveKcat() {
  return std::system("command -v kcat >/dev/null 2>&1") == 0;
}

// key -> payloads, read with kcat from the start of the topic.
std::multimap<std::string, std::string> consume(const std::string& bootstrap,
                                                const std::string& topic) {
  std::string cmd =
      "kcat -C -b " + bootstrap + " -t " + topic + " -e -o beginning -q -f '%k %s\\n' 2>/dev/null";
  std::multimap<std::string, std::string> out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p)) {
    std::string line(buf);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    out.emplace(line.substr(0, space), line.substr(space + 1));
  }
  ::pclose(p);
  return out;
}

std::vector<EncodedEvent> makeEvents(int from, int count) {
  std::vector<EncodedEvent> out;
  for (int i = from; i < from + count; ++i) {
    EncodedEvent e;
    e.id = "k-" + std::to_string(i);
    e.key = i % 7 == 0 ? "" : "visitor" + std::to_string(i % 5);
    e.region = "default";
    e.payload = R"({"id":")" + e.id + R"(","type":"pageview"})";
    out.push_back(std::move(e));
  }
  return out;
}

std::string idOf(const std::string& payload) {
  size_t start = payload.find("\"id\":\"") + 6;
  return payload.substr(start, payload.find('"', start) - start);
}

int counter = 0;

KafkaSink::Options optionsFor(const MockCluster& cluster, const TempDir& dir) {
  KafkaSink::Options o;
  o.name = "kafka-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  o.brokers = cluster.bootstrap();
  o.topic = "events";
  o.spoolDir = dir.str() + "/spool";
  o.backoffBase = 20ms;
  o.backoffCap = 200ms;
  o.flushTimeout = 5s;
  o.properties["message.timeout.ms"] = "1500";
  return o;
}

template <typename F>
bool tickUntil(KafkaSink& sink, F done, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    sink.tick(Clock::now());
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

void expectAllDelivered(const std::multimap<std::string, std::string>& got,
                        const std::vector<EncodedEvent>& written, bool keyed) {
  std::map<std::string, std::string> keyById;
  for (const auto& [key, payload] : got) keyById[idOf(payload)] = key;
  for (const auto& e : written) {
    auto it = keyById.find(e.id);
    ASSERT_NE(it, keyById.end()) << "missing " << e.id;
    EXPECT_EQ(it->second, keyed ? e.key : "") << e.id;
  }
}

TEST(KafkaSink, RejectsBadConfig) {
  TempDir dir;
  KafkaSink::Options o;
  o.name = "kafka-bad";
  o.brokers = "127.0.0.1:1";
  o.spoolDir = dir.str();
  EXPECT_FALSE(KafkaSink::open(o).ok());  // no topic
  o.topic = "t";
  o.properties["no.such.property"] = "1";
  auto r = KafkaSink::open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no.such.property"), std::string::npos);
}

TEST(KafkaSink, BuildsFromConfigWithBatchSettings) {
  if (!haveKcat()) GTEST_SKIP() << "kcat not on PATH";
  MockCluster cluster(1);
  ASSERT_EQ(cluster.command("create cfg 1"), "ok");
  TempDir dir;
  config::Sink c;
  c.name = "kafka-config-" + std::to_string(::getpid());
  c.type = config::SinkType::Kafka;
  c.brokers = cluster.bootstrap();
  c.topic = "cfg";
  c.batchMaxDelay = std::chrono::milliseconds(20);
  c.spool.dir = dir.str() + "/spool";
  auto sink = KafkaSink::open(c);
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  auto events = makeEvents(0, 10);
  (*sink)->write(events);
  (*sink)->flush();
  expectAllDelivered(consume(cluster.bootstrap(), "cfg"), events, true);
  c.properties["linger.ms"] = "not-a-number";  // explicit properties override the batch keys
  EXPECT_FALSE(KafkaSink::open(c).ok());
}

TEST(KafkaSink, ProducesEveryEventWithItsKey) {
  if (!haveKcat()) GTEST_SKIP() << "kcat not on PATH";
  MockCluster cluster(3);
  ASSERT_FALSE(cluster.bootstrap().empty());
  ASSERT_EQ(cluster.command("create events 4"), "ok");
  TempDir dir;
  auto sink = KafkaSink::open(optionsFor(cluster, dir));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  auto events = makeEvents(0, 300);
  for (size_t i = 0; i < events.size(); i += 50) {
    (*sink)->write(std::span(events).subspan(i, 50));
    (*sink)->tick(Clock::now());
  }
  (*sink)->flush();
  EXPECT_EQ((*sink)->outstanding(), 0u);
  EXPECT_EQ((*sink)->counters().written.load(), events.size());
  EXPECT_TRUE((*sink)->spool().empty());
  auto got = consume(cluster.bootstrap(), "events");
  EXPECT_EQ(got.size(), events.size());
  expectAllDelivered(got, events, true);
}

TEST(KafkaSink, KeyNoneSendsNoKey) {
  if (!haveKcat()) GTEST_SKIP() << "kcat not on PATH";
  MockCluster cluster(1);
  ASSERT_EQ(cluster.command("create events 1"), "ok");
  TempDir dir;
  auto o = optionsFor(cluster, dir);
  o.keyByVisitor = false;
  auto sink = KafkaSink::open(o);
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  auto events = makeEvents(0, 20);
  (*sink)->write(events);
  (*sink)->flush();
  auto got = consume(cluster.bootstrap(), "events");
  EXPECT_EQ(got.size(), events.size());
  expectAllDelivered(got, events, false);
}

TEST(KafkaSink, OutageSpoolsAndRecoversWithNothingMissing) {
  if (!haveKcat()) GTEST_SKIP() << "kcat not on PATH";
  MockCluster cluster(1);
  ASSERT_EQ(cluster.command("create events 2"), "ok");
  TempDir dir;
  auto sink = KafkaSink::open(optionsFor(cluster, dir));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  std::vector<EncodedEvent> written;
  auto produce = [&](int from, int count) {
    auto events = makeEvents(from, count);
    written.insert(written.end(), events.begin(), events.end());
    (*sink)->write(events);
    (*sink)->tick(Clock::now());
  };
  produce(0, 50);
  (*sink)->flush();
  EXPECT_EQ((*sink)->counters().written.load(), 50u);

  ASSERT_EQ(cluster.command("down 1"), "ok");
  for (int i = 0; i < 10; ++i) {
    produce(50 + i * 20, 20);
    std::this_thread::sleep_for(100ms);
  }
  // Timed-out messages come back through delivery reports and land in the spool.
  ASSERT_TRUE(tickUntil(
      **sink, [&] { return (*sink)->outstanding() == 0 && !(*sink)->spool().empty(); }, 15s));
  uint64_t spooled = EventMetrics::global().sink((*sink)->name()).spooled.load();
  EXPECT_GE(spooled, 200u);
  produce(1000, 30);  // queued behind the spool
  ASSERT_EQ(cluster.command("up 1"), "ok");
  ASSERT_TRUE(tickUntil(
      **sink, [&] { return (*sink)->spool().empty() && (*sink)->outstanding() == 0; }, 30s));
  (*sink)->flush();
  auto got = consume(cluster.bootstrap(), "events");
  EXPECT_GE(got.size(), written.size());  // duplicates allowed
  expectAllDelivered(got, written, true);
  EXPECT_GE((*sink)->counters().written.load(), written.size());
}

TEST(KafkaSink, InjectedProduceErrorsAreRetried) {
  if (!haveKcat()) GTEST_SKIP() << "kcat not on PATH";
  MockCluster cluster(1);
  ASSERT_EQ(cluster.command("create events 1"), "ok");
  TempDir dir;
  auto sink = KafkaSink::open(optionsFor(cluster, dir));
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  // Produce (api key 0) answers NOT_ENOUGH_REPLICAS (19) a few times: retriable.
  ASSERT_EQ(cluster.command("err 0 19 3"), "ok");
  auto events = makeEvents(0, 40);
  (*sink)->write(events);
  ASSERT_TRUE(tickUntil(
      **sink, [&] { return (*sink)->spool().empty() && (*sink)->outstanding() == 0; }, 20s));
  auto got = consume(cluster.bootstrap(), "events");
  expectAllDelivered(got, events, true);
}

TEST(KafkaSink, SpoolReplaysAfterRestart) {
  if (!haveKcat()) GTEST_SKIP() << "kcat not on PATH";
  MockCluster cluster(1);
  ASSERT_EQ(cluster.command("create events 1"), "ok");
  TempDir dir;
  auto o = optionsFor(cluster, dir);
  auto events = makeEvents(0, 25);
  {
    auto sink = KafkaSink::open(o);
    ASSERT_TRUE(sink.ok());
    EXPECT_TRUE((*sink)->overflow(events));  // as the pipeline does when the queue is full
  }
  auto sink = KafkaSink::open(o);
  ASSERT_TRUE(sink.ok());
  EXPECT_FALSE((*sink)->spool().empty());
  ASSERT_TRUE(tickUntil(
      **sink, [&] { return (*sink)->spool().empty() && (*sink)->outstanding() == 0; }, 20s));
  auto got = consume(cluster.bootstrap(), "events");
  expectAllDelivered(got, events, true);
}

}  // namespace
}  // namespace consentry::events
