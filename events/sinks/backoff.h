#pragma once
// Exponential backoff with full jitter (delay drawn uniformly from [0, min(cap, base * 2^n)]),
// shared by the http and kafka sinks. Not thread-safe: used on the sink thread.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace consentry::events {

class Backoff {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Backoff(std::chrono::milliseconds base = std::chrono::milliseconds(100),
                   std::chrono::milliseconds cap = std::chrono::seconds(30))
      : base_(base), cap_(cap), rng_(std::random_device{}()) {}

  // Records a failure at `now` and schedules the next attempt.
  void failed(Clock::time_point now) {
    int64_t ceiling = base_.count() << std::min(failures_, 20);
    ceiling = std::min<int64_t>(ceiling, cap_.count());
    std::uniform_int_distribution<int64_t> pick(0, ceiling);
    next_ = now + std::chrono::milliseconds(pick(rng_));
    ++failures_;
  }
  void succeeded() {
    failures_ = 0;
    next_ = {};
  }
  bool ready(Clock::time_point now) const { return now >= next_; }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
  std::mt19937_64 rng_;
  int failures_ = 0;
  Clock::time_point next_{};
};

}  // namespace consentry::events
