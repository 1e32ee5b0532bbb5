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

// Runs `base` until event_base_loopexit()/loopbreak() from its own callbacks, until no event is
// left, or until `stop` is set (then the caller also breaks the loop, so a sleeping loop wakes).
// `busyPoll` is read before each wait, so a reload may change it; zero polls never.
void runEventLoop(event_base* base, const std::atomic<bool>& stop,
                  const std::chrono::microseconds& busyPoll);

}  // namespace consentry::proxy
