#pragma once
// How often a busy-polling worker offers its core to the other threads of the process. A polling
// worker never blocks, so under a real-time policy (SCHED_FIFO, as bench/bench_common.sh's RT_PRIO
// sets for the whole process) the event pipeline's threads on the same core never ran: under
// saturation 42 % of the events were dropped as outbox_full (bench/RESULTS.md, "Session 6").
// A sched_yield() once per kEvery lets them drain the outbox; under the normal policy it costs one
// system call per millisecond of polling.

#include <chrono>

namespace consentry::proxy {

class PollYield {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::microseconds kEvery{1000};

  // Whether the polling loop should yield at `now`: at most once per kEvery.
  bool due(Clock::time_point now) {
    if (now - last_ < kEvery) return false;
    last_ = now;
    return true;
  }

 private:
  Clock::time_point last_{};
};

}  // namespace consentry::proxy
