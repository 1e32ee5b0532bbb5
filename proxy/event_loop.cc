#include "proxy/event_loop.h"

namespace consentry::proxy {
namespace {

// Whether any event became active since the previous call: libevent keeps the largest number of
// simultaneously active events, and reading it with `clear` resets that to zero.
bool anyEventSinceLastCheck(event_base* base) {
  return event_base_get_max_events(base, EVENT_BASE_COUNT_ACTIVE, 1) > 0;
}

}  // namespace

void runEventLoop(event_base* base, const std::atomic<bool>& stop,
                  const std::chrono::microseconds& busyPoll) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point lastEvent = Clock::now();
  anyEventSinceLastCheck(base);
  while (!stop.load(std::memory_order_relaxed)) {
    const bool poll = busyPoll.count() > 0 && Clock::now() - lastEvent < busyPoll;
    // EVLOOP_ONCE: run what is ready (waiting for it unless polling), then return here.
    const int result = event_base_loop(base, poll ? EVLOOP_ONCE | EVLOOP_NONBLOCK : EVLOOP_ONCE);
    if (result != 0 || event_base_got_exit(base) || event_base_got_break(base)) return;
    // Without a window nothing reads lastEvent: skip the counter's lock and the clock read.
    if (busyPoll.count() > 0 && anyEventSinceLastCheck(base)) lastEvent = Clock::now();
  }
}

}  // namespace consentry::proxy
