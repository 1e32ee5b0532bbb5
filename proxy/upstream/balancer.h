#pragma once
// Per-worker server selection for one upstream: round robin or least connections, skipping
// servers that are passively ejected (max_fails consecutive failures -> out for fail_timeout) or
// marked down by active health checks. Single-threaded: each worker owns its own Balancer.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "config/config.h"

namespace consentry::upstream {

using Clock = std::chrono::steady_clock;

// Health shared by all workers for one upstream (written by the health checker thread).
struct SharedHealth {
  explicit SharedHealth(size_t servers) : up(servers) {
    for (auto& u : up) u.store(true, std::memory_order_relaxed);
  }
  std::vector<std::atomic<bool>> up;
};

class Balancer {
 public:
  Balancer(const config::Upstream& upstream, std::shared_ptr<const SharedHealth> health = {});

  // A server index not in `excluded` (bit i = server i already tried), or -1. When every candidate
  // is ejected or down, the one whose ejection ends first is returned rather than failing.
  int pick(Clock::time_point now, uint64_t excluded = 0);

  void onStart(int server) { ++servers_[server].active; }
  void onEnd(int server) {
    if (servers_[server].active > 0) --servers_[server].active;
  }
  void onSuccess(int server) { servers_[server].fails = 0; }
  void onFailure(int server, Clock::time_point now);

  bool ejected(int server, Clock::time_point now) const {
    return servers_[server].ejectedUntil > now;
  }
  uint32_t active(int server) const { return servers_[server].active; }
  size_t size() const { return servers_.size(); }

 private:
  struct ServerState {
    uint32_t active = 0;
    uint32_t fails = 0;
    Clock::time_point ejectedUntil{};
  };
  bool available(size_t i, Clock::time_point now) const;

  config::Balance mode_;
  uint32_t maxFails_;
  Clock::duration failTimeout_;
  std::vector<ServerState> servers_;
  size_t cursor_ = 0;
  std::shared_ptr<const SharedHealth> health_;
};

}  // namespace consentry::upstream
