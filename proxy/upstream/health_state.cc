#include "proxy/upstream/health_state.h"

namespace consentry::upstream {

HealthState::Transition HealthState::record(bool passed) {
  if (passed == healthy_) {
    streak_ = 0;  // a result that agrees breaks the opposite streak
    return Transition::None;
  }
  ++streak_;
  if (streak_ < (healthy_ ? unhealthyThreshold_ : healthyThreshold_)) return Transition::None;
  healthy_ = passed;
  streak_ = 0;
  return passed ? Transition::BecameHealthy : Transition::BecameUnhealthy;
}

}  // namespace consentry::upstream
