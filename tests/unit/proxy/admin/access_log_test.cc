#include "proxy/admin/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace consentry::admin {
namespace {

namespace fs = std::filesystem;

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("csy-access-log-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  config::AccessLog fileConfig(const std::string& format = "json") const {
    config::AccessLog c;
    c.path = (dir_ / "access.log").string();
    c.format = format;
    return c;
  }

  static std::vector<std::string> readLines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }

  static AccessLogEntry entry(std::string_view target = "/x") {
    AccessLogEntry e;
    e.time = std::chrono::system_clock::now();
    e.client = *IpAddress::parse("192.0.2.55");
    e.method = "GET";
    e.target = target;
    e.status = 200;
    e.bytesSent = 10;
    return e;
  }

  fs::path dir_;
  MetricsRegistry registry_;
};

TEST_F(AccessLogTest, WorkersLinesAllArrive) {
  auto log = AccessLog::open(fileConfig(), 4, registry_);
  ASSERT_TRUE(log) << log.error().message;
  ASSERT_TRUE((*log)->enabled());
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < 4; ++w) {
    workers.emplace_back([&log, w] {
      std::string target = "/worker" + std::to_string(w);
      for (int i = 0; i < 1000; ++i) (*log)->record(w, entry(target));
    });
  }
  for (auto& t : workers) t.join();
  (*log)->record(99, entry("/not-a-worker"));  // shares the spare buffer
  (*log)->flush();
  auto lines = readLines(dir_ / "access.log");
  ASSERT_EQ(lines.size(), 4001u);
  int perWorker[4] = {};
  for (const auto& l : lines) {
    ASSERT_TRUE(l.starts_with("{\"time\":\"") && l.ends_with("}")) << l;
    EXPECT_NE(l.find("\"client_ip\":\"192.0.2.0\""), std::string::npos) << l;
    for (int w = 0; w < 4; ++w) {
      perWorker[w] += l.find("/worker" + std::to_string(w) + "\"") != std::string::npos;
    }
  }
  for (int w = 0; w < 4; ++w) EXPECT_EQ(perWorker[w], 1000) << w;
  EXPECT_EQ(registry_.counter("consentry_access_log_lines_total", "").value(), 4001u);
}

TEST_F(AccessLogTest, BackgroundThreadWritesWithoutFlush) {
  auto log = AccessLog::open(fileConfig(), 1, registry_);
  ASSERT_TRUE(log);
  (*log)->record(0, entry());
  for (int i = 0; i < 50 && readLines(dir_ / "access.log").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(readLines(dir_ / "access.log").size(), 1u);
}

TEST_F(AccessLogTest, DestructionWritesWhatIsBuffered) {
  {
    auto log = AccessLog::open(fileConfig("combined"), 2, registry_);
    ASSERT_TRUE(log);
    (*log)->record(1, entry("/bye?token=secret"));
  }
  auto lines = readLines(dir_ / "access.log");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with("192.0.2.0 - - [")) << lines[0];
  EXPECT_NE(lines[0].find("\"GET /bye HTTP/1.1\" 200 10 \"-\" \"-\""), std::string::npos)
      << lines[0];
}

TEST_F(AccessLogTest, ReopenAfterRotation) {
  auto log = AccessLog::open(fileConfig(), 1, registry_);
  ASSERT_TRUE(log);
  (*log)->record(0, entry("/before"));
  (*log)->flush();
  fs::rename(dir_ / "access.log", dir_ / "access.log.1");
  (*log)->record(0, entry("/still-old-fd"));
  (*log)->flush();  // no reopen asked: the renamed file keeps growing, like any daemon
  (*log)->reopen();
  (*log)->record(0, entry("/after"));
  (*log)->flush();
  auto rotated = readLines(dir_ / "access.log.1");
  auto fresh = readLines(dir_ / "access.log");
  ASSERT_EQ(rotated.size(), 2u);
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_NE(rotated[0].find("/before"), std::string::npos);
  EXPECT_NE(rotated[1].find("/still-old-fd"), std::string::npos);
  EXPECT_NE(fresh[0].find("/after"), std::string::npos);
}

TEST_F(AccessLogTest, OffWritesNothing) {
  config::AccessLog c;
  c.path = "off";
  auto log = AccessLog::open(c, 2, registry_);
  ASSERT_TRUE(log);
  EXPECT_FALSE((*log)->enabled());
  (*log)->record(0, entry());
  (*log)->flush();
  EXPECT_EQ(registry_.counter("consentry_access_log_lines_total", "").value(), 0u);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(AccessLogTest, ReconfigureSwitchesFormatIpRuleAndPath) {
  auto log = AccessLog::open(fileConfig(), 1, registry_);
  ASSERT_TRUE(log);
  (*log)->record(0, entry("/one"));
  config::AccessLog c = fileConfig("combined");
  c.ip = config::IpRule::Drop;
  ASSERT_TRUE((*log)->reconfigure(c));
  (*log)->record(0, entry("/two"));
  c.path = (dir_ / "other.log").string();
  ASSERT_TRUE((*log)->reconfigure(c));
  (*log)->record(0, entry("/three"));
  (*log)->flush();
  auto first = readLines(dir_ / "access.log");
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(first[0].starts_with("{")) << first[0];
  EXPECT_TRUE(first[1].starts_with("- - - [")) << first[1];
  auto second = readLines(dir_ / "other.log");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].find("/three"), std::string::npos);

  c.path = (dir_ / "missing" / "dir.log").string();
  EXPECT_FALSE((*log)->reconfigure(c));  // keeps writing where it was
  (*log)->record(0, entry("/four"));
  (*log)->flush();
  EXPECT_EQ(readLines(dir_ / "other.log").size(), 2u);
}

TEST_F(AccessLogTest, BadConfigIsAnError) {
  config::AccessLog c = fileConfig("apache");
  auto bad = AccessLog::open(c, 1, registry_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("apache"), std::string::npos);
  c = fileConfig();
  c.path = (dir_ / "no" / "such" / "dir.log").string();
  EXPECT_FALSE(AccessLog::open(c, 1, registry_));
}

// A reader that never reads stalls the writer thread; record() must neither block nor grow
// without bound, and every line is either delivered or counted as dropped.
TEST_F(AccessLogTest, StalledOutputDropsAndCountsInsteadOfBlocking) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  config::AccessLog c;
  c.path = "/proc/self/fd/" + std::to_string(fds[1]);
  auto log = AccessLog::open(c, 1, registry_);
  ASSERT_TRUE(log) << log.error().message;
  close(fds[1]);
  const std::string target = "/" + std::string(150, 'p');
  constexpr uint64_t kRecorded = 40'000;  // about 10 MB of lines against a 4 MiB buffer
  for (uint64_t i = 0; i < kRecorded; ++i) (*log)->record(0, entry(target));
  const uint64_t dropped = registry_.counter("consentry_access_log_dropped_total", "").value();
  EXPECT_GT(dropped, 0u);

  uint64_t received = 0;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) {
      for (ssize_t i = 0; i < n; ++i) received += buf[i] == '\n';
    }
  });
  log->reset();  // writes the rest and closes the pipe
  reader.join();
  close(fds[0]);
  EXPECT_EQ(received + dropped, kRecorded);
  EXPECT_EQ(registry_.counter("consentry_access_log_lines_total", "").value(), received);
}

}  // namespace
}  // namespace consentry::admin
