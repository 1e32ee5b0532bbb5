#include "proxy/poll_yield.h"

#include <gtest/gtest.h>

namespace consentry::proxy {
namespace {

using std::chrono::microseconds;

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
