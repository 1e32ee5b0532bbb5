#include "events/uuid7.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace consentry::events {
namespace {

uint64_t timestampOf(const Uuid& u) {
  uint64_t ms = 0;
  for (int i = 0; i < 6; ++i) ms = (ms << 8) | u[i];
  return ms;
}

TEST(Uuid7, VersionVariantAndTimestamp) {
  Uuid7Generator gen(1);
  for (uint64_t ms : {0ULL, 1ULL, 1'795'914'123'456ULL, 0xFFFF'FFFF'FFFEULL}) {
    Uuid u = gen.next(ms);
    EXPECT_EQ(u[6] >> 4, 7) << ms;
    EXPECT_EQ(u[8] >> 6, 2) << ms;  // variant 10
    EXPECT_EQ(timestampOf(u), ms);
  }
  uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  Uuid7Generator live;
  uint64_t ts = timestampOf(live.next());
  EXPECT_LE(ts - now + 1000, 2000u) << "timestamp is the current time in ms";
}

// nextWords (what newEventId formats) is next's id as two big-endian words: the same seed and
// times give the same ids both ways, also across the counter's rollover within a millisecond.
TEST(Uuid7, WordsAreTheBytesBigEndian) {
  Uuid7Generator bytes(9), words(9);
  for (int i = 0; i < 10000; ++i) {
    const uint64_t ms = 1'795'914'123'456ULL + static_cast<uint64_t>(i / 3000);
    const Uuid u = bytes.next(ms);
    const Uuid7Generator::Words w = words.nextWords(ms);
    uint64_t high = 0, low = 0;
    for (int k = 0; k < 8; ++k) {
      high = (high << 8) | u[k];
      low = (low << 8) | u[8 + k];
    }
    ASSERT_EQ(w.high, high) << i;
    ASSERT_EQ(w.low, low) << i;
  }
}

TEST(Uuid7, TextForm) {
  Uuid u{};
  for (int i = 0; i < 16; ++i) u[i] = static_cast<uint8_t>(0x10 * i + 0xf - i);
  EXPECT_EQ(uuidToString(u), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  std::string id(newEventId().view());
  ASSERT_EQ(id.size(), 36u);
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      EXPECT_EQ(id[i], '-');
    } else {
      EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(id[i])) && !std::isupper(id[i])) << id;
    }
  }
  EXPECT_EQ(id[14], '7');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
}

TEST(Uuid7, EventIdFromTheRequestTime) {
  // A day ahead, so this thread's generator has not been further than that already.
  const auto time = std::chrono::system_clock::now() + std::chrono::hours(24);
  const auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count());
  const std::string first(newEventId(time).view());
  const std::string second(newEventId(time).view());
  ASSERT_EQ(first.size(), 36u);
  // The first 48 bits (12 hex digits around the first dash) are the given millisecond.
  const std::string hex = first.substr(0, 8) + first.substr(9, 4);
  EXPECT_EQ(std::stoull(hex, nullptr, 16), ms) << first;
  EXPECT_EQ(first[14], '7');
  EXPECT_LT(first, second) << "same millisecond: the counter keeps ids ordered";
}

TEST(Uuid7, MonotonicWithinAMillisecondAndAcrossClockSteps) {
  Uuid7Generator gen(42);
  Uuid prev = gen.next(1000);
  // 100k ids in one millisecond overflow the 12-bit counter many times over; then the clock
  // steps back. Every id must still be greater than the one before.
  for (int i = 0; i < 100000; ++i) {
    uint64_t clock = i < 60000 ? 1000 : 900;
    Uuid u = gen.next(clock);
    ASSERT_LT(prev, u) << i;
    ASSERT_EQ(uuidToString(prev) < uuidToString(u), true) << "text sorts like bytes";
    prev = u;
  }
  // The timestamp ran ahead of the stuck clock but not absurdly so (>= 2048 ids per ms).
  EXPECT_LE(timestampOf(prev), 1000u + 100000 / 2048 + 1);
  // Once the clock passes it again, the real time is used.
  EXPECT_EQ(timestampOf(gen.next(5000)), 5000u);
}

TEST(Uuid7, UniqueAcrossThreads) {
  constexpr int kThreads = 4, kPerThread = 50000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) ids[t].emplace_back(newEventId().view());
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (auto& v : ids) {
    EXPECT_TRUE(std::is_sorted(v.begin(), v.end())) << "per-thread monotonic";
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads} * kPerThread);
}

TEST(Uuid7, SeedsDiffer) {
  Uuid7Generator a, b;
  Uuid x = a.next(5), y = b.next(5);
  EXPECT_NE(std::vector<uint8_t>(x.begin() + 8, x.end()),
            std::vector<uint8_t>(y.begin() + 8, y.end()));
}

}  // namespace
}  // namespace consentry::events
