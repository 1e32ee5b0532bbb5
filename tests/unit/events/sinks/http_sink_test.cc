#include "events/sinks/http_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "events/sinks/sink_factory.h"
#include "tests/helpers/temp_dir.h"
#include "tests/unit/events/sinks/test_collector.h"

namespace consentry::events {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using testing::TestCollector;

using test_support::TempDir;

std::vector<EncodedEvent> makeEvents(int from, int count) {
  std::vector<EncodedEvent> out;
  for (int i = from; i < from + count; ++i) {
    EncodedEvent e;
    e.id = "0190-" + std::to_string(i);
    e.key = "v" + std::to_string(i % 5);
    e.region = "eea";
    e.payload = R"({"schema":"consentry.event/1","id":")" + e.id + R"(","type":"pageview"})";
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<std::string> idsIn(const std::string& body) {
  std::vector<std::string> ids;
  const std::string marker = "\"id\":\"";
  for (size_t pos = body.find(marker); pos != std::string::npos; pos = body.find(marker, pos)) {
    pos += marker.size();
    size_t end = body.find('"', pos);
    ids.push_back(body.substr(pos, end - pos));
  }
  return ids;
}

std::multiset<std::string> acceptedIds(const TestCollector& collector) {
  std::multiset<std::string> ids;
  for (const auto& r : collector.requests()) {
    if (r.status / 100 != 2) continue;
    for (auto& id : idsIn(r.body)) ids.insert(id);
  }
  return ids;
}

int counter = 0;

HttpSink::Options optionsFor(const TestCollector& collector, const TempDir& dir) {
  HttpSink::Options o;
  o.name = "http-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  o.url = collector.url();
  o.batchMaxEvents = 10;
  o.batchMaxDelay = 50ms;
  o.timeout = 2s;
  o.spoolDir = dir.str() + "/spool";
  o.backoffBase = 5ms;
  o.backoffCap = 50ms;
  return o;
}

std::unique_ptr<HttpSink> openSink(HttpSink::Options o) {
  auto sink = HttpSink::open(std::move(o));
  EXPECT_TRUE(sink.ok()) << (sink.ok() ? "" : sink.error().message);
  return sink.ok() ? std::move(sink.value()) : nullptr;
}

// Ticks until `done` or the deadline.
template <typename F>
bool tickUntil(HttpSink& sink, F done, std::chrono::milliseconds limit = 10s) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    sink.tick(Clock::now());
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

TEST(HttpUrl, Parses) {
  auto u = parseHttpUrl("https://collector.example:8443/v1/events?x=1");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "collector.example");
  EXPECT_EQ(u->port, 8443);
  EXPECT_EQ(u->target, "/v1/events?x=1");
  auto v = parseHttpUrl("http://[::1]");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host, "::1");
  EXPECT_EQ(v->port, 80);
  EXPECT_EQ(v->target, "/");
  EXPECT_FALSE(parseHttpUrl("ftp://x").ok());
  EXPECT_FALSE(parseHttpUrl("http://x:99999/").ok());
  EXPECT_FALSE(parseHttpUrl("http://:80/").ok());
}

TEST(HttpSink, BatchesByCountAndDelayAsNdjson) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.headers["Authorization"] = "Bearer t0ken";
  auto sink = openSink(o);
  ASSERT_TRUE(sink);
  auto events = makeEvents(0, 25);
  sink->write(events);
  EXPECT_EQ(collector.requestCount(), 2u);  // two full batches at once
  ASSERT_TRUE(tickUntil(*sink, [&] { return collector.requestCount() == 3; }));
  auto reqs = collector.requests();
  EXPECT_EQ(idsIn(reqs[0].body).size(), 10u);
  EXPECT_EQ(idsIn(reqs[2].body).size(), 5u);
  for (const auto& r : reqs) {
    EXPECT_EQ(r.headers.at("content-type"), "application/x-ndjson");
    EXPECT_EQ(r.headers.at("authorization"), "Bearer t0ken");
    EXPECT_EQ(r.body.back(), '\n');
    EXPECT_EQ(r.headers.count("content-encoding"), 0u);
  }
  EXPECT_EQ(reqs[0].body, events[0].payload + "\n" + events[1].payload + "\n" + events[2].payload +
                              "\n" + events[3].payload + "\n" + events[4].payload + "\n" +
                              events[5].payload + "\n" + events[6].payload + "\n" +
                              events[7].payload + "\n" + events[8].payload + "\n" +
                              events[9].payload + "\n");
  EXPECT_EQ(sink->counters().written.load(), 25u);
  EXPECT_FALSE(sink->readinessFailure());
}

TEST(HttpSink, BatchesByBytes) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.batchMaxEvents = 1000;
  o.batchMaxBytes = 300;  // each payload is ~60 bytes
  auto sink = openSink(o);
  sink->write(makeEvents(0, 20));
  auto reqs = collector.requests();
  ASSERT_GE(reqs.size(), 3u);
  for (const auto& r : reqs) EXPECT_LE(r.body.size(), 300u + 80u);
}

TEST(HttpSink, CloudEventsBatchIsAJsonArray) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.cloudEvents = true;
  auto sink = openSink(o);
  auto events = makeEvents(0, 3);
  sink->write(events);
  sink->flush();
  auto reqs = collector.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].headers.at("content-type"), "application/cloudevents-batch+json");
  EXPECT_EQ(reqs[0].body,
            "[" + events[0].payload + "," + events[1].payload + "," + events[2].payload + "]");
}

TEST(HttpSink, GzipBodies) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.gzip = true;
  auto sink = openSink(o);
  auto events = makeEvents(100, 10);
  sink->write(events);
  auto reqs = collector.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].headers.at("content-encoding"), "gzip");
  std::vector<std::string> expected;
  for (auto& e : events) expected.push_back(e.id);
  EXPECT_EQ(idsIn(reqs[0].body), expected);
}

TEST(HttpSink, RetriesServerErrorsUntilAccepted) {
  TestCollector collector;
  collector.script({500, 503, 429, 408});
  TempDir dir;
  auto sink = openSink(optionsFor(collector, dir));
  auto events = makeEvents(0, 10);
  sink->write(events);
  EXPECT_FALSE(sink->spool().empty());
  ASSERT_TRUE(tickUntil(*sink, [&] { return sink->spool().empty(); }));
  EXPECT_EQ(collector.requestCount(), 5u);
  std::multiset<std::string> expected;
  for (auto& e : events) expected.insert(e.id);
  EXPECT_EQ(acceptedIds(collector), expected);
  EXPECT_EQ(sink->counters().written.load(), 10u);
  EXPECT_EQ(sink->counters().retried.load(), 40u);
}

TEST(HttpSink, TimeoutIsRetried) {
  TestCollector collector;
  collector.script({-1});
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.timeout = 200ms;
  auto sink = openSink(o);
  auto start = Clock::now();
  sink->write(makeEvents(0, 10));
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_FALSE(sink->spool().empty());
  ASSERT_TRUE(tickUntil(*sink, [&] { return sink->spool().empty(); }));
  EXPECT_EQ(acceptedIds(collector).size(), 10u);
}

TEST(HttpSink, CollectorDownSpoolsAndReplaysEverything) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  auto sink = openSink(o);
  std::multiset<std::string> written;
  auto send = [&](int from, int count) {
    auto events = makeEvents(from, count);
    for (auto& e : events) written.insert(e.id);
    sink->write(events);
    sink->tick(Clock::now());
  };
  send(0, 30);
  collector.stop();
  for (int i = 0; i < 20; ++i) {
    send(30 + i * 7, 7);
    std::this_thread::sleep_for(2ms);
  }
  sink->flush();
  EXPECT_FALSE(sink->spool().empty());
  EXPECT_GT(EventMetrics::global().sink(o.name).spooled.load(), 0u);
  collector.start();  // same port
  send(1000, 13);
  ASSERT_TRUE(tickUntil(*sink, [&] {
    sink->flush();
    return sink->spool().empty();
  }));
  auto got = acceptedIds(collector);
  std::set<std::string> gotUnique(got.begin(), got.end());
  std::set<std::string> want(written.begin(), written.end());
  EXPECT_EQ(gotUnique, want);
  // Order is kept: the first acceptance of each id follows the write order.
  std::vector<std::string> firstSeen;
  std::set<std::string> seen;
  for (const auto& r : collector.requests()) {
    if (r.status != 200) continue;
    for (auto& id : idsIn(r.body)) {
      if (seen.insert(id).second) firstSeen.push_back(id);
    }
  }
  std::vector<int> numbers;
  for (auto& id : firstSeen) numbers.push_back(std::stoi(id.substr(5)));
  EXPECT_TRUE(std::is_sorted(numbers.begin(), numbers.end()));
}

TEST(HttpSink, SpoolSurvivesRestart) {
  TempDir dir;
  TestCollector collector;
  auto o = optionsFor(collector, dir);
  collector.stop();
  {
    auto sink = openSink(o);
    sink->write(makeEvents(0, 35));
    sink->flush();
    EXPECT_FALSE(sink->spool().empty());
  }
  collector.start();
  auto sink = openSink(o);
  ASSERT_TRUE(tickUntil(*sink, [&] { return sink->spool().empty(); }));
  auto got = acceptedIds(collector);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 35u);
}

TEST(HttpSink, UnsentPartialBatchIsSpooledOnDestruction) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.batchMaxDelay = 1h;
  {
    auto sink = openSink(o);
    sink->write(makeEvents(0, 3));
    EXPECT_EQ(collector.requestCount(), 0u);
  }
  auto sink = openSink(o);
  EXPECT_FALSE(sink->spool().empty());
  ASSERT_TRUE(tickUntil(*sink, [&] { return sink->spool().empty(); }));
  EXPECT_EQ(acceptedIds(collector).size(), 3u);
}

TEST(HttpSink, ClientErrorsGoToTheDeadLetterFile) {
  TestCollector collector;
  collector.script({400});
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.deadLetter = dir.str() + "/dl/dead.jsonl";
  auto sink = openSink(o);
  auto events = makeEvents(0, 20);
  sink->write(events);
  EXPECT_TRUE(sink->spool().empty());  // not retried
  std::ifstream in(o.deadLetter);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_NE(lines[i].find("\"status\":400"), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find("\"reason\":\"Scripted: status 400\""), std::string::npos) << lines[i];
    EXPECT_NE(lines[i].find("\"event\":" + events[i].payload + "}"), std::string::npos);
  }
  EXPECT_EQ(sink->counters().failed.load(), 10u);
  EXPECT_EQ(sink->counters().written.load(), 10u);  // the second batch went through
}

TEST(HttpSink, OverflowSpoolsFromAnotherThread) {
  TestCollector collector;
  TempDir dir;
  auto sink = openSink(optionsFor(collector, dir));
  std::thread dispatcher([&] {
    for (int i = 0; i < 20; ++i) {
      auto events = makeEvents(5000 + i * 5, 5);
      EXPECT_TRUE(sink->overflow(events));
    }
  });
  for (int i = 0; i < 20; ++i) sink->write(makeEvents(i * 5, 5));
  dispatcher.join();
  ASSERT_TRUE(tickUntil(*sink, [&] {
    sink->flush();
    return sink->spool().empty();
  }));
  auto got = acceptedIds(collector);
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 200u);
}

TEST(HttpSink, ReadinessFailsAfterTheGracePeriod) {
  TestCollector collector;
  TempDir dir;
  auto o = optionsFor(collector, dir);
  o.readinessGrace = 100ms;
  collector.stop();
  auto sink = openSink(o);
  sink->write(makeEvents(0, 10));
  EXPECT_FALSE(sink->readinessFailure());
  std::this_thread::sleep_for(150ms);
  auto failure = sink->readinessFailure();
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find(o.name), std::string::npos);
  collector.start();
  ASSERT_TRUE(tickUntil(*sink, [&] { return sink->spool().empty(); }));
  EXPECT_FALSE(sink->readinessFailure());
}

uint16_t freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool canConnect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// https:// verifies the collector's certificate: a self-signed one is refused, the batch is
// kept in the spool and the reason names the verification failure.
TEST(HttpSink, HttpsRejectsAnUntrustedCertificate) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
  TempDir dir;
  std::string cert = dir.str() + "/cert.pem", key = dir.str() + "/key.pem";
  std::string gen =
      "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -days 1 -keyout " + key +
      " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(gen.c_str()), 0);
  uint16_t port = freePort();
  pid_t pid = ::fork();
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(devnull, 1);
    ::dup2(devnull, 2);
    std::string accept = "127.0.0.1:" + std::to_string(port);
    ::execlp("openssl", "openssl", "s_server", "-quiet", "-accept", accept.c_str(), "-cert",
             cert.c_str(), "-key", key.c_str(), "-www", nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 200 && !canConnect(port); ++i) std::this_thread::sleep_for(10ms);
  TestCollector unused(false);
  HttpSink::Options o;
  o.name = "https-test-" + std::to_string(::getpid());
  o.url = "https://127.0.0.1:" + std::to_string(port) + "/ingest";
  o.batchMaxEvents = 5;
  o.spoolDir = dir.str() + "/spool";
  o.readinessGrace = 0ms;
  auto sink = openSink(o);
  sink->write(makeEvents(0, 5));
  EXPECT_FALSE(sink->spool().empty());
  EXPECT_EQ(sink->counters().written.load(), 0u);
  std::this_thread::sleep_for(5ms);
  auto failure = sink->readinessFailure();
  ASSERT_TRUE(failure);
  EXPECT_NE(failure->find("TLS verify"), std::string::npos) << *failure;
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
}

TEST(HttpSink, FactoryBuildsFromConfig) {
  TestCollector collector;
  TempDir dir;
  config::Sink c;
  c.name = "http-factory-" + std::to_string(::getpid());
  c.type = config::SinkType::Http;
  c.url = collector.url();
  c.batchMaxEvents = 2;
  c.spool.dir = dir.str() + "/spool";
  auto sink = makeSink(c);
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  (*sink)->write(makeEvents(0, 2));
  EXPECT_EQ(collector.requestCount(), 1u);
  c.url = "gopher://x";
  EXPECT_FALSE(makeSink(c).ok());
}

}  // namespace
}  // namespace consentry::events
