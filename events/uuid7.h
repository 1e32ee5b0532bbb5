#pragma once
// UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, version 7, 12-bit counter in rand_a
// (RFC 9562 §6.2 method 1) so ids from one thread sort in creation order even within one
// millisecond, variant 10, 62 random bits from a per-thread PRNG seeded by getrandom(2).

#include <array>
#include <chrono>
#include <cstdint>
#include <string>

#include "events/event.h"

namespace consentry::events {

using Uuid = std::array<uint8_t, 16>;

// A generator for one thread. Monotonic: each id is greater than the previous one, also when the
// clock steps back or more than 4096 ids are made in one millisecond (the timestamp then runs
// ahead of the clock until the clock catches up, as RFC 9562 §6.2 allows).
class Uuid7Generator {
 public:
  Uuid7Generator();  // seeds from getrandom(2)
  explicit Uuid7Generator(uint64_t seed);

  Uuid next();  // at the current system time
  Uuid next(uint64_t unixMs);
  // The same id as two big-endian words, bytes 0-7 and 8-15: newEventId formats it from
  // registers (a 16-byte load of the byte array just stored stalled on store forwarding).
  struct Words {
    uint64_t high;
    uint64_t low;
  };
  Words nextWords(uint64_t unixMs);

 private:
  uint64_t random();

  uint64_t state_[4];
  uint64_t lastMs_ = 0;
  uint32_t counter_ = 0;
};

// The canonical text form: 36 lowercase hex characters with dashes, 8-4-4-4-12.
inline constexpr size_t kUuidTextSize = 36;
void formatUuid(const Uuid& uuid, char* out);  // writes kUuidTextSize bytes
std::string uuidToString(const Uuid& uuid);
void appendUuid(const Uuid& uuid, std::string& out);

// A fresh UUIDv7 in text form from this thread's generator (what Event::id holds).
EventId newEventId();
// The same with the timestamp taken from `time` (the request's clock reading) instead of a
// second reading of the clock; ids stay unique and monotonic per thread all the same.
EventId newEventId(std::chrono::system_clock::time_point time);

}  // namespace consentry::events
