#include "proxy/upstream/balancer.h"

#include <gtest/gtest.h>

#include <map>

namespace consentry::upstream {
namespace {

config::Upstream upstreamWith(size_t servers, config::Balance mode) {
  config::Upstream u;
  u.name = "u";
  for (size_t i = 0; i < servers; ++i) u.servers.push_back("127.0.0.1:" + std::to_string(i + 1));
  u.balance = mode;
  u.maxFails = 2;
  u.failTimeout = std::chrono::seconds(10);
  return u;
}

TEST(Balancer, RoundRobinCyclesEvenly) {
  Balancer b(upstreamWith(3, config::Balance::RoundRobin));
  auto now = Clock::now();
  std::map<int, int> seen;
  for (int i = 0; i < 300; ++i) ++seen[b.pick(now)];
  EXPECT_EQ(seen.size(), 3u);
  for (auto [server, count] : seen) EXPECT_EQ(count, 100) << server;
}

TEST(Balancer, LeastConnPrefersIdleServer) {
  Balancer b(upstreamWith(3, config::Balance::LeastConn));
  auto now = Clock::now();
  b.onStart(0);
  b.onStart(0);
  b.onStart(1);
  EXPECT_EQ(b.pick(now), 2);
  b.onStart(2);
  b.onStart(2);
  EXPECT_EQ(b.pick(now), 1);
  b.onEnd(0);
  b.onEnd(0);
  EXPECT_EQ(b.pick(now), 0);
}

TEST(Balancer, EjectsAfterMaxFailsUntilFailTimeout) {
  Balancer b(upstreamWith(2, config::Balance::RoundRobin));
  auto now = Clock::now();
  b.onFailure(0, now);
  EXPECT_FALSE(b.ejected(0, now));
  b.onFailure(0, now);
  EXPECT_TRUE(b.ejected(0, now));
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b.pick(now), 1);
  auto later = now + std::chrono::seconds(11);
  EXPECT_FALSE(b.ejected(0, later));
  std::map<int, int> seen;
  for (int i = 0; i < 10; ++i) ++seen[b.pick(later)];
  EXPECT_EQ(seen[0], 5);
}

TEST(Balancer, SuccessResetsConsecutiveFailures) {
  Balancer b(upstreamWith(1, config::Balance::RoundRobin));
  auto now = Clock::now();
  b.onFailure(0, now);
  b.onSuccess(0);
  b.onFailure(0, now);
  EXPECT_FALSE(b.ejected(0, now));
}

TEST(Balancer, ExcludedServersAreSkippedAndAllEjectedStillPicks) {
  Balancer b(upstreamWith(3, config::Balance::RoundRobin));
  auto now = Clock::now();
  EXPECT_NE(b.pick(now, 0b001), 0);
  EXPECT_EQ(b.pick(now, 0b011), 2);
  EXPECT_EQ(b.pick(now, 0b111), -1);
  for (int s = 0; s < 3; ++s) {
    b.onFailure(s, now + std::chrono::seconds(s));
    b.onFailure(s, now + std::chrono::seconds(s));
  }
  EXPECT_EQ(b.pick(now), 0);  // everyone is out: the first to come back
}

TEST(Balancer, HealthDownServersAreSkipped) {
  auto health = std::make_shared<SharedHealth>(2);
  Balancer b(upstreamWith(2, config::Balance::RoundRobin), health);
  health->up[0].store(false);
  auto now = Clock::now();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(b.pick(now), 1);
}

}  // namespace
}  // namespace consentry::upstream
