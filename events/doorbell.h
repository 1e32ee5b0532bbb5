#pragma once
// Lets the event dispatcher sleep for long stretches when no events flow, while a push stays
// cheap: a producer rings only after the dispatcher announced its sleep. Without it the
// dispatcher polled the outboxes every 5 ms even when telemetry was off (200 wake-ups a second
// of an idle process).
//
// Dispatcher:  announceSleep(); <last look at the outboxes>; wait on `cv` under `mutex` until
//              rung() (or stop, or a timeout); endSleep().
// Producer:    <publish the event>; ringIfSleeping().
// The two seq_cst fences pair up: either the producer sees the announcement and rings, or the
// dispatcher's last look sees the event.

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace consentry::events {

class Doorbell {
 public:
  Doorbell(std::mutex& mutex, std::condition_variable& cv) : mutex_(mutex), cv_(cv) {}
  Doorbell(const Doorbell&) = delete;
  Doorbell& operator=(const Doorbell&) = delete;

  void ringIfSleeping() {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (!sleeping_.load(std::memory_order_relaxed)) return;
    if (!sleeping_.exchange(false, std::memory_order_acq_rel)) return;  // another producer rang
    // Taking the mutex orders this notify after the dispatcher either saw rung() or blocked.
    { std::lock_guard lock(mutex_); }
    cv_.notify_all();
  }

  void announceSleep() {
    sleeping_.store(true, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
  bool rung() const { return !sleeping_.load(std::memory_order_acquire); }
  void endSleep() { sleeping_.store(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> sleeping_{false};
  std::mutex& mutex_;
  std::condition_variable& cv_;
};

}  // namespace consentry::events
