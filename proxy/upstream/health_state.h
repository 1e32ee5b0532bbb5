#pragma once
// The threshold rule of active health checks: a server changes state only after
// `healthyThreshold` consecutive passing probes (down -> up) or `unhealthyThreshold` consecutive
// failing ones (up -> down). Servers start up so that a fresh proxy serves at once.

#include <cstdint>

namespace consentry::upstream {

class HealthState {
 public:
  enum class Transition : uint8_t { None, BecameHealthy, BecameUnhealthy };

  HealthState(uint32_t healthyThreshold, uint32_t unhealthyThreshold)
      : healthyThreshold_(healthyThreshold == 0 ? 1 : healthyThreshold),
        unhealthyThreshold_(unhealthyThreshold == 0 ? 1 : unhealthyThreshold) {}

  // Records one probe result; returns the state change it caused, if any.
  Transition record(bool passed);
  bool healthy() const { return healthy_; }

 private:
  uint32_t healthyThreshold_;
  uint32_t unhealthyThreshold_;
  uint32_t streak_ = 0;  // consecutive results that disagree with the current state
  bool healthy_ = true;
};

// 2xx and 3xx pass.
inline bool probeStatusPasses(int status) {
  return status >= 200 && status < 400;
}

}  // namespace consentry::upstream
