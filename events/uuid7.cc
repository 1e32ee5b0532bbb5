#include "events/uuid7.h"

#include <sys/random.h>

#include <chrono>
#include <ctime>

namespace consentry::events {
namespace {

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// splitmix64 spreads any seed (even 0) over the whole xoshiro state.
uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t systemSeed() {
  uint64_t seed = 0;
  if (::getrandom(&seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) {
    // Without the kernel's entropy, time and stack address still differ between threads.
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    seed = static_cast<uint64_t>(ts.tv_nsec) ^ (static_cast<uint64_t>(ts.tv_sec) << 20) ^
           reinterpret_cast<uintptr_t>(&seed);
  }
  return seed;
}

uint64_t nowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

Uuid7Generator::Uuid7Generator() : Uuid7Generator(systemSeed()) {}

Uuid7Generator::Uuid7Generator(uint64_t seed) {
  for (uint64_t& s : state_) s = splitmix(seed);
}

// xoshiro256**: fast and statistically sound; the ids need uniqueness, not secrecy.
uint64_t Uuid7Generator::random() {
  uint64_t result = rotl(state_[1] * 5, 7) * 9;
  uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

Uuid Uuid7Generator::next() {
  return next(nowMs());
}

Uuid Uuid7Generator::next(uint64_t unixMs) {
  uint64_t r = random();
  if (unixMs > lastMs_) {
    lastMs_ = unixMs;
    // A random start with the top bit clear leaves at least 2048 steps in the millisecond.
    counter_ = static_cast<uint32_t>(r >> 53);  // 11 bits
  } else if (++counter_ > 0xFFF) {
    ++lastMs_;
    counter_ = static_cast<uint32_t>(r >> 53);
  }
  uint64_t tail = random();
  uint64_t ms = lastMs_ & 0xFFFF'FFFF'FFFFULL;
  Uuid u;
  for (int i = 0; i < 6; ++i) u[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  u[6] = static_cast<uint8_t>(0x70 | (counter_ >> 8));
  u[7] = static_cast<uint8_t>(counter_);
  u[8] = static_cast<uint8_t>(0x80 | ((tail >> 56) & 0x3F));
  for (int i = 9; i < 16; ++i) u[i] = static_cast<uint8_t>(tail >> (8 * (15 - i)));
  return u;
}

void formatUuid(const Uuid& uuid, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t p = 0;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[p++] = '-';
    out[p++] = kHex[uuid[i] >> 4];
    out[p++] = kHex[uuid[i] & 15];
  }
}

void appendUuid(const Uuid& uuid, std::string& out) {
  char buf[kUuidTextSize];
  formatUuid(uuid, buf);
  out.append(buf, sizeof buf);
}

std::string uuidToString(const Uuid& uuid) {
  std::string s;
  s.reserve(36);
  appendUuid(uuid, s);
  return s;
}

namespace {
Uuid7Generator& threadGenerator() {
  thread_local Uuid7Generator generator;
  return generator;
}

EventId eventIdText(const Uuid& uuid) {
  static_assert(EventId::capacity() == kUuidTextSize);
  EventId id;
  formatUuid(uuid, id.data());
  id.setSize(kUuidTextSize);
  return id;
}
}  // namespace

EventId newEventId() {
  return eventIdText(threadGenerator().next());
}

EventId newEventId(std::chrono::system_clock::time_point time) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  return eventIdText(threadGenerator().next(ms > 0 ? static_cast<uint64_t>(ms) : 0));
}

}  // namespace consentry::events
