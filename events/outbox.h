#pragma once
// A worker's outbox: a bounded single-producer single-consumer ring of serialized events. The
// worker serializes each event once, straight into its slot, and never blocks; the pipeline's
// dispatcher thread drains the slots in batches and only routes them (by region) and wraps them
// for CloudEvents sinks. A full ring drops the event and counts it
// (consentry_events_dropped_total{reason="outbox_full"}); after close() every push is refused
// and counted as "stopped".

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "events/doorbell.h"
#include "events/event.h"
#include "events/sinks/sink.h"

namespace consentry::events {

// One event as the outbox holds it: what file/http/kafka sinks take (id, partition key, region,
// the consentry.event/1 JSON) plus the two fields a CloudEvents envelope repeats.
struct QueuedEvent {
  EncodedEvent encoded;
  EventType type = EventType::Pageview;
  std::chrono::system_clock::time_point time;
};

class Outbox {
 public:
  // `capacity` is rounded up to a power of two, at least 2. `doorbell` (optional) is rung after
  // a push when the consumer sleeps.
  explicit Outbox(size_t capacity, Doorbell* doorbell = nullptr);
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Producer side (one worker thread): serializes `event` into the next slot (nothing is
  // serialized for an event that is refused). Returns false when the event was dropped.
  bool push(const Event& event);

  // Consumer side (one thread). Moves up to `max` events to the back of `out`; returns how many.
  size_t drain(std::vector<QueuedEvent>& out, size_t max);

  // Refuses further pushes; once it returns, no push in progress can still land in the ring, so a
  // drain() after close() sees every event that was ever accepted.
  void close();

  size_t capacity() const { return mask_ + 1; }
  size_t sizeApprox() const;
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<QueuedEvent[]> slots_;
  size_t mask_;
  Doorbell* doorbell_;
  // Producer and consumer indexes on their own cache lines, each with a cached copy of the
  // other's index so that the common case touches no shared line.
  alignas(64) std::atomic<uint64_t> tail_{0};
  uint64_t cachedHead_ = 0;
  std::atomic<bool> pushing_{false};
  alignas(64) std::atomic<uint64_t> head_{0};
  uint64_t cachedTail_ = 0;
  alignas(64) std::atomic<bool> closed_{false};
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace consentry::events
