#pragma once
// Gives the allocator's free memory back to the kernel once a burst of traffic is over.
// glibc keeps what a burst freed (every connection's buffers, upstream exchanges, parse state)
// in its arenas; after 5,000 simultaneous requests that was ~4.5 MiB, i.e. most of an idle
// connection's apparent RSS cost. Trimming under steady load would only hand back pages that
// the next requests fault in again, so the releaser waits for a quiet period.

#include <cstdint>

namespace consentry::proxy {

// Decides when to trim: after activity was seen, at the first tick that finds the activity
// count unchanged since the tick before (one quiet tick interval), once per burst.
class QuietTrimPolicy {
 public:
  /// `activity` is a monotonically growing count of work done (requests completed).
  /// Returns true when the heap should be trimmed now.
  bool tick(uint64_t activity);

 private:
  uint64_t lastSeen_ = 0;
  uint64_t trimmedAt_ = 0;
};

// Returns the free memory of every malloc arena to the kernel (malloc_trim). Returns whether
// any memory was released.
bool releaseFreeHeap();

}  // namespace consentry::proxy
