#include "filters/telemetry/lru_cache.h"

#include <gtest/gtest.h>

#include <string>

namespace consentry::filters::telemetry {
namespace {

TEST(LruCache, EvictsLeastRecentlyUsed) {
  LruCache<int> cache(2);
  cache.put("a", 1);
  cache.put("b", 2);
  ASSERT_NE(cache.find("a"), nullptr);  // a is now most recent
  cache.put("c", 3);                    // evicts b
  EXPECT_EQ(cache.find("b"), nullptr);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_EQ(*cache.find("a"), 1);
  EXPECT_EQ(*cache.find("c"), 3);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCache, ReplaceRefreshesAndKeepsSize) {
  LruCache<std::string> cache(2);
  cache.put("a", "1");
  cache.put("b", "2");
  cache.put("a", "one");  // refresh a: b is the oldest now
  cache.put("c", "3");
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_EQ(*cache.find("a"), "one");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(LruCache, ZeroCapacityCachesNothing) {
  LruCache<int> cache(0);
  cache.put("a", 1);
  EXPECT_EQ(cache.find("a"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(LruCache, ManyKeysStayBounded) {
  LruCache<int> cache(100);
  for (int i = 0; i < 1000; ++i) cache.put("key" + std::to_string(i), i);
  EXPECT_EQ(cache.size(), 100u);
  for (int i = 900; i < 1000; ++i) {
    auto* v = cache.find("key" + std::to_string(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, i);
  }
  EXPECT_EQ(cache.find("key899"), nullptr);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace consentry::filters::telemetry
