#pragma once
// When a busy-polling worker should stop polling for a while because its core is shared. A poller
// spends whole time slices polling while another runnable process on its core waits, and every
// preemption leaves requests waiting for its next slice: there, sleeping in epoll_wait is faster
// (bench/RESULTS.md, "Session 5"). The sign is the worker thread waiting on the run queue (for a
// core) for more than a quarter of the time since the previous check; then polling pauses for
// kPause. Short preemptions (a timer thread of our own, a kernel worker) stay below that.
// PollYield: how often a polling worker offers its core to the other threads of the process.

#include <chrono>
#include <cstdint>

namespace consentry::proxy {

class PollBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  // How often the run-queue wait is read (a syscall) while polling is allowed.
  static constexpr std::chrono::microseconds kCheckEvery{1000};
  static constexpr std::chrono::milliseconds kPause{100};

  // Whether polling is allowed at `now`. `waitedNs()` returns the thread's total run-queue wait
  // in nanoseconds (0 when unknown) and is called at most once per kCheckEvery.
  template <typename ReadWaitNs>
  bool allows(Clock::time_point now, ReadWaitNs&& waitedNs) {
    if (now < pausedUntil_) return false;
    const auto elapsed = now - lastCheck_;
    if (elapsed < kCheckEvery) return true;
    const uint64_t waited = waitedNs();
    const bool shared =
        checked_ && waited > waited_ && std::chrono::nanoseconds(waited - waited_) * 4 > elapsed;
    lastCheck_ = now;
    waited_ = waited;
    checked_ = true;
    if (!shared) return true;
    pausedUntil_ = now + kPause;
    return false;
  }

 private:
  Clock::time_point pausedUntil_{};
  Clock::time_point lastCheck_{};
  uint64_t waited_ = 0;
  bool checked_ = false;  // the first read has no earlier total to compare with
};

// A polling worker never blocks, so under a real-time policy (SCHED_FIFO, as
// bench/bench_common.sh's RT_PRIO sets for the whole process) the event pipeline's threads on the
// same core never ran: under saturation 42 % of the events were dropped as outbox_full
// (bench/RESULTS.md, "Session 6"). A sched_yield() once per kEvery lets them drain the outbox;
// under the normal policy it costs one system call per millisecond of polling.
class PollYield {
 public:
  using Clock = PollBackoff::Clock;
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
