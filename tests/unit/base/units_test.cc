#include "base/units.h"

#include <gtest/gtest.h>

namespace consentry {
namespace {

TEST(Units, Durations) {
  EXPECT_EQ(parseDuration("250ms")->count(), 250);
  EXPECT_EQ(parseDuration("10s")->count(), 10'000);
  EXPECT_EQ(parseDuration("5m")->count(), 300'000);
  EXPECT_EQ(parseDuration("1h")->count(), 3'600'000);
  EXPECT_EQ(parseDuration("395d")->count(), int64_t{395} * 86'400'000);
  for (const char* bad : {"", "10", "s", "-1s", "1.5s", "10 s", "10sec", "99999999999999999999s"}) {
    EXPECT_FALSE(parseDuration(bad)) << bad;
  }
  EXPECT_EQ(formatDuration(Duration(250)), "250ms");
  EXPECT_EQ(formatDuration(Duration(15'000)), "15s");
  EXPECT_EQ(formatDuration(Duration(3'600'000)), "1h");
}

TEST(Units, Microseconds) {
  EXPECT_EQ(parseMicroseconds("50us")->count(), 50);
  EXPECT_EQ(parseMicroseconds("2ms")->count(), 2'000);
  EXPECT_EQ(parseMicroseconds("1s")->count(), 1'000'000);
  EXPECT_EQ(parseMicroseconds("0")->count(), 0);
  EXPECT_EQ(parseMicroseconds("0us")->count(), 0);
  for (const char* bad : {"", "us", "50", "-5us", "5 us", "5µs", "1.5us", "00", "5uss"}) {
    EXPECT_FALSE(parseMicroseconds(bad)) << bad;
  }
  EXPECT_EQ(formatMicroseconds(std::chrono::microseconds(50)), "50us");
  EXPECT_EQ(formatMicroseconds(std::chrono::microseconds(2'000)), "2ms");
  EXPECT_EQ(formatMicroseconds(std::chrono::microseconds(0)), "0s");
}

TEST(Units, Sizes) {
  EXPECT_EQ(*parseSize("16KiB"), 16u * 1024);
  EXPECT_EQ(*parseSize("100MiB"), 100u * 1024 * 1024);
  EXPECT_EQ(*parseSize("1GiB"), uint64_t{1} << 30);
  EXPECT_EQ(*parseSize("512"), 512u);
  for (const char* bad : {"", "KiB", "1.5MiB", "-1", "1 MiB", "1XiB", "99999999999999999999TiB"}) {
    EXPECT_FALSE(parseSize(bad)) << bad;
  }
  EXPECT_EQ(formatSize(64 * 1024), "64KiB");
  EXPECT_EQ(formatSize(1000), "1000B");
}

}  // namespace
}  // namespace consentry
