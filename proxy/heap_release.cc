#include "proxy/heap_release.h"

#include <malloc.h>

namespace consentry::proxy {

bool QuietTrimPolicy::tick(uint64_t activity) {
  const bool quiet = activity == lastSeen_;
  lastSeen_ = activity;
  if (!quiet || activity == trimmedAt_) return false;
  trimmedAt_ = activity;
  return true;
}

bool releaseFreeHeap() {
  // Pad 0: keep nothing spare at the top of the main heap; the next burst pays a few page
  // faults, which is what it would pay in any case for pages it has not touched before.
  return malloc_trim(0) != 0;
}

}  // namespace consentry::proxy
