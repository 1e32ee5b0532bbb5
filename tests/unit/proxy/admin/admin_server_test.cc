#include "proxy/admin/admin_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace consentry::admin {
namespace {

struct HttpReply {
  int status = 0;
  std::string head;
  std::string body;
};

// One request over a fresh connection, read to EOF (Connection: close).
HttpReply request(uint16_t port, const std::string& method, const std::string& target) {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return reply;
  }
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return reply;
  }
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t split = raw.find("\r\n\r\n");
  if (split == std::string::npos || raw.size() < 12) return reply;
  reply.head = raw.substr(0, split);
  reply.body = raw.substr(split + 4);
  reply.status = std::stoi(raw.substr(9, 3));
  return reply;
}

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_.counter("consentry_requests_total", "Requests.", {{"code", "200"}}).inc(5);
    auto config = std::make_shared<config::Config>();
    config->drainTimeout = std::chrono::seconds(7);
    config_ = config;
    auto started = server_.start([this] { return config_; }, "127.0.0.1:0");
    ASSERT_TRUE(started) << started.error().message;
    ASSERT_NE(server_.port(), 0);
  }

  MetricsRegistry registry_;
  config::ConfigPtr config_;
  AdminServer server_{registry_};
};

TEST_F(AdminServerTest, HealthzAnswersOk) {
  HttpReply r = request(server_.port(), "GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_NE(r.head.find("Content-Type: text/plain"), std::string::npos) << r.head;
}

TEST_F(AdminServerTest, MetricsServesTheRegistry) {
  HttpReply r = request(server_.port(), "GET", "/metrics?ignored=1");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.head.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << r.head;
  EXPECT_NE(r.body.find("consentry_requests_total{code=\"200\"} 5\n"), std::string::npos) << r.body;
  registry_.counter("consentry_requests_total", "Requests.", {{"code", "200"}}).inc();
  r = request(server_.port(), "GET", "/metrics");
  EXPECT_NE(r.body.find("consentry_requests_total{code=\"200\"} 6\n"), std::string::npos) << r.body;
}

TEST_F(AdminServerTest, ReadyzFollowsListenersDrainingAndChecks) {
  EXPECT_EQ(request(server_.port(), "GET", "/readyz").status, 503);  // listeners not up yet
  server_.setListenersUp(true);
  EXPECT_EQ(request(server_.port(), "GET", "/readyz").status, 200);

  std::atomic<bool> sinkFailing{false};
  server_.addReadinessCheck("sink:collector", [&sinkFailing]() -> std::optional<std::string> {
    if (sinkFailing) return "failing for 40s";
    return std::nullopt;
  });
  EXPECT_EQ(request(server_.port(), "GET", "/readyz").status, 200);
  sinkFailing = true;
  HttpReply r = request(server_.port(), "GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.head.find("Content-Type: application/json"), std::string::npos) << r.head;
  EXPECT_NE(r.body.find(R"({"check":"sink:collector","reason":"failing for 40s"})"),
            std::string::npos)
      << r.body;
  sinkFailing = false;
  EXPECT_EQ(request(server_.port(), "GET", "/readyz").status, 200);

  server_.setDraining(true);
  r = request(server_.port(), "GET", "/readyz");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("draining"), std::string::npos);
  EXPECT_EQ(request(server_.port(), "GET", "/healthz").status, 200);
}

TEST_F(AdminServerTest, ConfigNotFoundAndMethodNotAllowed) {
  HttpReply r = request(server_.port(), "GET", "/config");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("drain_timeout: 7s"), std::string::npos) << r.body;

  r = request(server_.port(), "GET", "/admin/secret");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("\"error\":\"not found\""), std::string::npos) << r.body;

  r = request(server_.port(), "POST", "/metrics");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.head.find("Allow: GET, HEAD"), std::string::npos) << r.head;

  r = request(server_.port(), "HEAD", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_NE(r.head.find("Content-Length: 2\r"), std::string::npos) << r.head;
  EXPECT_EQ(r.head.find("Content-Length"), r.head.rfind("Content-Length")) << r.head;
}

TEST_F(AdminServerTest, ConcurrentScrapesWhileCounting) {
  server_.setListenersUp(true);
  Counter& c = registry_.counter("busy_total", "h");
  std::atomic<bool> stop{false};
  std::thread worker([&] {
    setMetricsShard(1);
    while (!stop) c.inc();
  });
  int ok = 0;
  for (int i = 0; i < 20; ++i) ok += request(server_.port(), "GET", "/metrics").status == 200;
  stop = true;
  worker.join();
  EXPECT_EQ(ok, 20);
}

TEST(AdminServer, StopReleasesThePortAndRestarts) {
  MetricsRegistry registry;
  AdminServer server(registry);
  ASSERT_TRUE(server.start(nullptr, "127.0.0.1:0"));
  uint16_t port = server.port();
  EXPECT_EQ(request(port, "GET", "/healthz").status, 200);
  server.stop();
  EXPECT_EQ(server.port(), 0);
  EXPECT_EQ(request(port, "GET", "/healthz").status, 0);  // connection refused
  server.stop();                                          // idempotent
  auto again = server.start(nullptr, "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(request(port, "GET", "/healthz").status, 200);
  EXPECT_EQ(request(port, "GET", "/config").status, 503);  // no config getter
}

TEST(AdminServer, RejectsBadAddresses) {
  MetricsRegistry registry;
  AdminServer server(registry);
  for (const char* bad : {"127.0.0.1", "127.0.0.1:99999", ":80", "[::1", "127.0.0.1:x"}) {
    auto r = server.start(nullptr, bad);
    EXPECT_FALSE(r) << bad;
  }
  // a port in use is an error value, not a crash
  AdminServer first(registry);
  ASSERT_TRUE(first.start(nullptr, "127.0.0.1:0"));
  auto r = server.start(nullptr, "127.0.0.1:" + std::to_string(first.port()));
  EXPECT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot listen"), std::string::npos) << r.error().message;
}

TEST(AdminServer, ListensOnIpv6Loopback) {
  MetricsRegistry registry;
  AdminServer server(registry);
  auto r = server.start(nullptr, "[::1]:0");
  if (!r) GTEST_SKIP() << "no IPv6 loopback: " << r.error().message;
  EXPECT_NE(server.port(), 0);
}

}  // namespace
}  // namespace consentry::admin
