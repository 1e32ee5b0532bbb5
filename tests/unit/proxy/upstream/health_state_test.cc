#include "proxy/upstream/health_state.h"

#include <gtest/gtest.h>

namespace consentry::upstream {
namespace {

using T = HealthState::Transition;

TEST(HealthState, StartsHealthy) {
  EXPECT_TRUE(HealthState(2, 3).healthy());
}

TEST(HealthState, GoesDownAfterUnhealthyThresholdConsecutiveFailures) {
  HealthState s(2, 3);
  EXPECT_EQ(s.record(false), T::None);
  EXPECT_EQ(s.record(false), T::None);
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.record(false), T::BecameUnhealthy);
  EXPECT_FALSE(s.healthy());
  EXPECT_EQ(s.record(false), T::None);  // no repeated transition
}

TEST(HealthState, PassBetweenFailuresResetsStreak) {
  HealthState s(2, 3);
  s.record(false);
  s.record(false);
  EXPECT_EQ(s.record(true), T::None);
  EXPECT_EQ(s.record(false), T::None);
  EXPECT_EQ(s.record(false), T::None);
  EXPECT_TRUE(s.healthy());
  EXPECT_EQ(s.record(false), T::BecameUnhealthy);
}

TEST(HealthState, ComesBackAfterHealthyThresholdConsecutivePasses) {
  HealthState s(2, 1);
  EXPECT_EQ(s.record(false), T::BecameUnhealthy);
  EXPECT_EQ(s.record(true), T::None);
  EXPECT_EQ(s.record(false), T::None);  // streak broken
  EXPECT_EQ(s.record(true), T::None);
  EXPECT_FALSE(s.healthy());
  EXPECT_EQ(s.record(true), T::BecameHealthy);
  EXPECT_TRUE(s.healthy());
}

TEST(HealthState, ZeroThresholdActsAsOne) {
  HealthState s(0, 0);
  EXPECT_EQ(s.record(false), T::BecameUnhealthy);
  EXPECT_EQ(s.record(true), T::BecameHealthy);
}

TEST(HealthState, StatusClasses) {
  EXPECT_TRUE(probeStatusPasses(200));
  EXPECT_TRUE(probeStatusPasses(302));
  EXPECT_FALSE(probeStatusPasses(199));
  EXPECT_FALSE(probeStatusPasses(404));
  EXPECT_FALSE(probeStatusPasses(503));
}

}  // namespace
}  // namespace consentry::upstream
