#include "proxy/heap_release.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

namespace consentry::proxy {
namespace {

TEST(QuietTrimPolicy, TrimsOnceAfterAQuietTick) {
  QuietTrimPolicy policy;
  EXPECT_FALSE(policy.tick(0));    // nothing happened yet
  EXPECT_FALSE(policy.tick(0));    // still nothing: an idle process is never trimmed
  EXPECT_FALSE(policy.tick(100));  // busy
  EXPECT_FALSE(policy.tick(250));  // busy
  EXPECT_TRUE(policy.tick(250));   // first quiet tick after the burst
  EXPECT_FALSE(policy.tick(250));  // once per burst
  EXPECT_FALSE(policy.tick(250));
  EXPECT_FALSE(policy.tick(251));  // a new burst
  EXPECT_TRUE(policy.tick(251));
}

TEST(QuietTrimPolicy, SteadyLoadIsNeverTrimmed) {
  QuietTrimPolicy policy;
  for (uint64_t activity = 1; activity < 1000; ++activity) EXPECT_FALSE(policy.tick(activity));
}

#if !defined(__SANITIZE_ADDRESS__)
size_t residentBytes() {
  long pages = 0;
  long resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  const int n = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}
#endif

// What a burst leaves behind: many small blocks freed while a few survivors between them keep
// the heap from shrinking at its top, so only a trim can give the pages back.
TEST(ReleaseFreeHeap, GivesBackWhatABurstFreed) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan's allocator is not glibc's";
#else
  constexpr size_t kBlock = 8 * 1024;   // below the mmap threshold: served from the heap
  constexpr size_t kBlocks = 8 * 1024;  // 64 MiB
  std::vector<std::unique_ptr<char[]> > blocks;
  std::vector<std::unique_ptr<char[]> > survivors;
  blocks.reserve(kBlocks);
  for (size_t i = 0; i < kBlocks; ++i) {
    blocks.push_back(std::make_unique<char[]>(kBlock));
    blocks.back()[0] = 1;
    blocks.back()[kBlock - 1] = 1;
    // Survivors as large as the blocks: small ones would land in holes earlier tests left lower
    // in the heap, and the burst would then shrink the heap by itself, without a trim.
    if (i % 256 == 0) survivors.push_back(std::make_unique<char[]>(kBlock));
  }
  for (size_t i = 0; i < kBlocks; ++i) {
    for (size_t j = 0; j < kBlock; j += 4096) blocks[i][j] = 1;  // resident for sure
  }
  blocks.clear();
  const size_t before = residentBytes();
  releaseFreeHeap();
  const size_t after = residentBytes();
  ASSERT_GT(before, 0u);
  EXPECT_GT(before - std::min(before, after), 32u * 1024 * 1024)
      << "resident " << before << " -> " << after;
#endif
}

}  // namespace
}  // namespace consentry::proxy
