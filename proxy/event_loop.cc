#include "proxy/event_loop.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "proxy/poll_backoff.h"

namespace consentry::proxy {
namespace {

// Whether any event became active since the previous call: libevent keeps the largest number of
// simultaneously active events, and reading it with `clear` resets that to zero.
bool anyEventSinceLastCheck(event_base* base) {
  return event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, 1) > 0;
}

// The calling thread's run-queue wait (the second field of its schedstat), for PollBackoff.
class RunQueueWait {
 public:
  RunQueueWait() : fd_(open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}
  ~RunQueueWait() {
    if (fd_ >= 0) close(fd_);
  }
  RunQueueWait(const RunQueueWait&) = delete;
  RunQueueWait& operator=(const RunQueueWait&) = delete;

  uint64_t operator()() const {
    char text[96];
    if (fd_ < 0) return 0;
    const ssize_t n = pread(fd_, text, sizeof text - 1, 0);
    if (n <= 0) return 0;
    text[n] = '\0';
    char* end = nullptr;
    std::strtoull(text, &end, 10);  // time on the CPU
    return std::strtoull(end, nullptr, 10);
  }

 private:
  int fd_;
};

}  // namespace

std::chrono::microseconds autoBusyPollWindow() {
  static const std::chrono::microseconds window = [] {
    std::ifstream in("/sys/devices/system/cpu/cpuidle/current_driver");
    std::string driver;
    // No file (a kernel without cpuidle) says nothing about halting costs: do not poll.
    if (!(in >> driver)) return std::chrono::microseconds{0};
    return driver == "none" ? kAutoWindow : std::chrono::microseconds{0};
  }();
  return window;
}

void runEventLoop(event_base* base, const std::atomic<bool>& stop, const BusyPoll& busyPoll) {
  using Clock = PollBackoff::Clock;
  Clock::time_point lastEvent = Clock::now();
  PollBackoff backoff;
  PollYield yield;
  const RunQueueWait waited;
  anyEventSinceLastCheck(base);
  while (!stop.load(std::memory_order_relaxed)) {
    bool poll = false;
    if (busyPoll.window.count() > 0) {
      const Clock::time_point now = Clock::now();
      poll = now - lastEvent < busyPoll.window &&
             (!busyPoll.yieldWhenShared || backoff.allows(now, waited));
      if (poll && yield.due(now)) sched_yield();  // the pipeline's threads may share this core
    }
    // EVLOOP_ONCE: run what is ready (waiting for it unless polling), then return here.
    const int result = event_base_loop(base, poll ? EVLOOP_ONCE | EVLOOP_NONBLOCK : EVLOOP_ONCE);
    if (result != 0 || event_base_got_exit(base) || event_base_got_break(base)) return;
    // Without a window nothing reads lastEvent: skip the counter's lock and the clock read.
    if (busyPoll.window.count() > 0 && anyEventSinceLastCheck(base)) lastEvent = Clock::now();
  }
}

}  // namespace consentry::proxy
