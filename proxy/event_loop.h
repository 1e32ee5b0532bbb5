#pragma once
// A worker's event loop with optional busy polling. After any event the loop keeps polling
// (epoll_wait with a zero timeout) for up to the busy-poll window before it sleeps. Why: on a
// virtual machine without a cpuidle driver a sleeping vCPU halts, and whoever wakes it (the
// origin answering, a client sending) pays a VM exit for the wake-up IPI on every event; a loop
// that is still polling is woken by nobody. The window restarts at every event, so a loaded
// worker never sleeps and an idle one stops polling one window after its last event (no CPU
// burnt without traffic).

#include <event2/event.h>

#include <atomic>
#include <chrono>

namespace consentry::proxy {

struct BusyPoll {
  std::chrono::microseconds window{0};  // zero polls never
  // Pause polling while the worker's core is shared with other busy processes (PollBackoff).
  bool yieldWhenShared = false;
};

// What `busy_poll: auto` means on this host: kAutoWindow where an idle vCPU halts into the
// hypervisor (no cpuidle driver: `/sys/devices/system/cpu/cpuidle/current_driver` reads `none`),
// else zero. Read once per process.
inline constexpr std::chrono::microseconds kAutoWindow{50};
std::chrono::microseconds autoBusyPollWindow();

// Runs `base` until event_base_loopexit()/loopbreak() from its own callbacks, until no event is
// left, or until `stop` is set (then the caller also breaks the loop, so a sleeping loop wakes).
// `busyPoll` is read before each wait, so a reload may change it.
void runEventLoop(event_base* base, const std::atomic<bool>& stop, const BusyPoll& busyPoll);

}  // namespace consentry::proxy
