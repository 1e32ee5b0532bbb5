#include "events/outbox.h"

#include <bit>
#include <thread>

#include "events/event_json.h"
#include "events/event_metrics.h"

namespace consentry::events {

Outbox::Outbox(size_t capacity, Doorbell* doorbell) : doorbell_(doorbell) {
  size_t cap = std::bit_ceil(capacity < 2 ? size_t{2} : capacity);
  slots_ = std::make_unique<QueuedEvent[]>(cap);
  mask_ = cap - 1;
}

bool Outbox::push(const Event& event) {
  // Dekker-style handshake with close(): either we see closed_, or close() sees pushing_ and
  // waits for this push to land, so no accepted event can slip in behind the final drain.
  pushing_.store(true, std::memory_order_seq_cst);
  if (closed_.load(std::memory_order_seq_cst)) {
    pushing_.store(false, std::memory_order_release);
    dropped_.fetch_add(1, std::memory_order_relaxed);
    EventMetrics::global().dropped(DropReason::Stopped);
    return false;
  }
  uint64_t tail = tail_.load(std::memory_order_relaxed);
  if (tail - cachedHead_ > mask_) {
    cachedHead_ = head_.load(std::memory_order_acquire);
    if (tail - cachedHead_ > mask_) {
      pushing_.store(false, std::memory_order_release);
      dropped_.fetch_add(1, std::memory_order_relaxed);
      EventMetrics::global().dropped(DropReason::OutboxFull);
      return false;
    }
  }
  // Assigned, not moved in: a slot's strings keep the capacity of their last use.
  QueuedEvent& slot = slots_[tail & mask_];
  slot.encoded.id.assign(event.id);
  if (event.visitor) {
    slot.encoded.key.assign(*event.visitor);
  } else {
    slot.encoded.key.clear();
  }
  slot.encoded.region.assign(event.region);
  slot.encoded.payload.clear();
  appendEventJson(event, slot.encoded.payload);
  slot.type = event.type;
  slot.time = event.time;
  tail_.store(tail + 1, std::memory_order_release);
  pushing_.store(false, std::memory_order_release);
  if (doorbell_ != nullptr) doorbell_->ringIfSleeping();
  return true;
}

size_t Outbox::drain(std::vector<QueuedEvent>& out, size_t max) {
  uint64_t head = head_.load(std::memory_order_relaxed);
  if (cachedTail_ - head < max) cachedTail_ = tail_.load(std::memory_order_acquire);
  size_t n = static_cast<size_t>(cachedTail_ - head);
  if (n > max) n = max;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(std::move(slots_[(head + i) & mask_]));
  }
  head_.store(head + n, std::memory_order_release);
  return n;
}

void Outbox::close() {
  closed_.store(true, std::memory_order_seq_cst);
  while (pushing_.load(std::memory_order_seq_cst)) std::this_thread::yield();
}

size_t Outbox::sizeApprox() const {
  return static_cast<size_t>(tail_.load(std::memory_order_acquire) -
                             head_.load(std::memory_order_acquire));
}

}  // namespace consentry::events
