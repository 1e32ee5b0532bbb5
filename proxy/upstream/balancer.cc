#include "proxy/upstream/balancer.h"

namespace consentry::upstream {

Balancer::Balancer(const config::Upstream& upstream, std::shared_ptr<const SharedHealth> health)
    : mode_(upstream.balance),
      maxFails_(upstream.maxFails),
      failTimeout_(upstream.failTimeout),
      servers_(upstream.servers.size()),
      health_(std::move(health)) {}

bool Balancer::available(size_t i, Clock::time_point now) const {
  if (servers_[i].ejectedUntil > now) return false;
  return !health_ || i >= health_->up.size() || health_->up[i].load(std::memory_order_relaxed);
}

int Balancer::pick(Clock::time_point now, uint64_t excluded) {
  const size_t n = servers_.size();
  if (n == 0) return -1;
  int best = -1;
  for (size_t k = 0; k < n; ++k) {
    size_t i = (cursor_ + k) % n;
    if (i < 64 && (excluded >> i) & 1) continue;
    if (!available(i, now)) continue;
    if (mode_ == config::Balance::RoundRobin) {
      best = static_cast<int>(i);
      break;
    }
    if (best < 0 || servers_[i].active < servers_[best].active) best = static_cast<int>(i);
  }
  if (best < 0) {
    // Everything is out: better to try the server that comes back first than to refuse.
    for (size_t i = 0; i < n; ++i) {
      if (i < 64 && (excluded >> i) & 1) continue;
      if (best < 0 || servers_[i].ejectedUntil < servers_[best].ejectedUntil) {
        best = static_cast<int>(i);
      }
    }
    if (best < 0) return -1;
  }
  cursor_ = (static_cast<size_t>(best) + 1) % n;
  return best;
}

void Balancer::onFailure(int server, Clock::time_point now) {
  auto& s = servers_[server];
  if (maxFails_ == 0) return;  // max_fails: 0 disables passive ejection
  if (++s.fails >= maxFails_) {
    s.ejectedUntil = now + failTimeout_;
    s.fails = 0;
  }
}

}  // namespace consentry::upstream
