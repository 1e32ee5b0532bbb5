#include "proxy/poll_backoff.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace consentry::proxy {
namespace {

using std::chrono::microseconds;
using Clock = PollBackoff::Clock;

// A thread's run-queue wait as the test sets it, counting how often the backoff read it.
struct FakeWait {
  uint64_t ns = 0;
  int reads = 0;
  uint64_t operator()() {
    ++reads;
    return ns;
  }
};

class PollBackoffTest : public ::testing::Test {
 protected:
  PollBackoff backoff;
  FakeWait wait;
  Clock::time_point t = Clock::time_point{} + std::chrono::seconds(1);
};

TEST_F(PollBackoffTest, PollsWhileTheThreadHasItsCore) {
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(backoff.allows(t, wait));
    wait.ns += 100'000;  // 0.1 ms waited per 1 ms: a short preemption (our own timer thread)
    t += microseconds(1000);
  }
}

TEST_F(PollBackoffTest, ReadsTheWaitAtMostOncePerInterval) {
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(backoff.allows(t, wait));
    t += microseconds(10);
  }
  EXPECT_EQ(wait.reads, 1);  // 1 ms elapsed in all: the first read, none since
  t += PollBackoff::kCheckEvery;
  EXPECT_TRUE(backoff.allows(t, wait));
  EXPECT_EQ(wait.reads, 2);
}

TEST_F(PollBackoffTest, PausesWhenTheCoreIsSharedThenPollsAgain) {
  EXPECT_TRUE(backoff.allows(t, wait));
  // 4 ms later, 3 of them spent waiting for the core (another busy process ran).
  t += microseconds(4000);
  wait.ns += 3'000'000;
  EXPECT_FALSE(backoff.allows(t, wait));
  const int reads = wait.reads;
  t += PollBackoff::kPause - microseconds(1);
  EXPECT_FALSE(backoff.allows(t, wait));
  EXPECT_EQ(wait.reads, reads);  // no syscall while paused
  t += microseconds(1);
  EXPECT_TRUE(backoff.allows(t, wait));  // nothing waited during the pause
}

TEST_F(PollBackoffTest, KeepsPollingWhenTheWaitIsUnknown) {
  auto unknown = [] { return uint64_t{0}; };
  for (int i = 0; i < 10; ++i, t += microseconds(5000)) EXPECT_TRUE(backoff.allows(t, unknown));
}

TEST(PollYieldTest, YieldsOncePerInterval) {
  PollYield yield;
  PollYield::Clock::time_point t = PollYield::Clock::time_point{} + std::chrono::seconds(1);
  EXPECT_TRUE(yield.due(t));
  int yields = 0;
  // 10 ms of polling turns every 10 us: one yield per millisecond, not one per turn.
  for (int i = 1; i <= 1000; ++i) yields += yield.due(t + microseconds(10 * i)) ? 1 : 0;
  EXPECT_EQ(yields, 10);
}

TEST(PollYieldTest, NotAgainWithinTheInterval) {
  PollYield yield;
  PollYield::Clock::time_point t = PollYield::Clock::time_point{} + std::chrono::seconds(1);
  ASSERT_TRUE(yield.due(t));
  EXPECT_FALSE(yield.due(t + PollYield::kEvery - microseconds(1)));
  EXPECT_TRUE(yield.due(t + PollYield::kEvery));
}

}  // namespace
}  // namespace consentry::proxy
