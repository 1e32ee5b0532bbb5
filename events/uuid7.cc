#include "events/uuid7.h"

#include <emmintrin.h>
#include <sys/random.h>

#include <chrono>
#include <cstring>
#include <ctime>

#include "base/hex.h"

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
  const Words w = nextWords(unixMs);
  const uint64_t high = __builtin_bswap64(w.high), low = __builtin_bswap64(w.low);
  Uuid u;
  std::memcpy(u.data(), &high, 8);
  std::memcpy(u.data() + 8, &low, 8);
  return u;
}

Uuid7Generator::Words Uuid7Generator::nextWords(uint64_t unixMs) {
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
  // 48 bits of milliseconds, version 7, the 12-bit counter; variant 10, 62 random bits.
  return {(ms << 16) | 0x7000 | counter_,
          0x8000'0000'0000'0000ULL | (tail & 0x3FFF'FFFF'FFFF'FFFFULL)};
}

namespace {

// The text of the 16 bytes in v (memory order): 8-4-4-4-12 digits with dashes between, by
// overlapping stores from registers: digits 0-15 at 0 and 16-31 at 20 (24-35 end up right),
// then 8-15 and 16-19 moved one to three places on (a copy through a stack buffer instead
// reloaded parts of the 16-byte stores, slower than the table loop it replaced).
void formatUuidBytes(__m128i v, char* out) {
  const hex::Digits32 d = hex::digits16(v);
  std::memcpy(out, &d.low, sizeof d.low);
  std::memcpy(out + 20, &d.high, sizeof d.high);
  const auto d8 = static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_srli_si128(d.low, 8)));
  const auto d16 = static_cast<uint64_t>(_mm_cvtsi128_si64(d.high));
  const auto d8to11 = static_cast<uint32_t>(d8), d12to15 = static_cast<uint32_t>(d8 >> 32);
  const auto d16to19 = static_cast<uint32_t>(d16);
  std::memcpy(out + 9, &d8to11, 4);
  std::memcpy(out + 14, &d12to15, 4);
  std::memcpy(out + 19, &d16to19, 4);
  out[8] = '-';
  out[13] = '-';
  out[18] = '-';
  out[23] = '-';
}

}  // namespace

void formatUuid(const Uuid& uuid, char* out) {
  __m128i v;
  std::memcpy(&v, uuid.data(), sizeof v);
  formatUuidBytes(v, out);
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

EventId eventIdText(Uuid7Generator::Words w) {
  static_assert(EventId::capacity() == kUuidTextSize);
  EventId id;
  formatUuidBytes(_mm_set_epi64x(static_cast<int64_t>(__builtin_bswap64(w.low)),
                                 static_cast<int64_t>(__builtin_bswap64(w.high))),
                  id.data());
  id.setSize(kUuidTextSize);
  return id;
}
}  // namespace

EventId newEventId() {
  return eventIdText(threadGenerator().nextWords(nowMs()));
}

EventId newEventId(std::chrono::system_clock::time_point time) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  return eventIdText(threadGenerator().nextWords(ms > 0 ? static_cast<uint64_t>(ms) : 0));
}

}  // namespace consentry::events
