#pragma once
// Active health checks: one thread with its own event loop probes every server of every upstream
// that has `health` configured (non-blocking connect, GET path, 2xx/3xx passes), applies the
// thresholds (upstream::HealthState) and flips the snapshot's SharedHealth flags that the
// balancers honour. Transitions are logged as lifecycle lines; consentry_upstream_health
// {upstream,server} is 1 or 0.

#include <memory>
#include <thread>
#include <vector>

#include "proxy/worker_context.h"

struct event_base;

namespace consentry::proxy {

class HealthChecker {
 public:
  // Starts probing at once; does nothing (no thread) when no upstream has health checks.
  explicit HealthChecker(std::shared_ptr<const Snapshot> snapshot);
  ~HealthChecker();  // stops the thread
  HealthChecker(const HealthChecker&) = delete;
  HealthChecker& operator=(const HealthChecker&) = delete;

  struct Probe;

 private:
  std::shared_ptr<const Snapshot> snapshot_;
  event_base* base_ = nullptr;
  std::vector<std::unique_ptr<Probe>> probes_;
  std::thread thread_;
};

}  // namespace consentry::proxy
