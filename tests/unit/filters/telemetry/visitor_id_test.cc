#include "filters/telemetry/visitor_id.h"

#include <gtest/gtest.h>

#include <set>

namespace consentry::filters::telemetry {
namespace {

TEST(VisitorId, RandomHex128) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = newVisitorId();
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_TRUE(isValidVisitorId(*id)) << id->view();
    seen.insert(id->str());
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(isValidVisitorId("0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(isValidVisitorId("0123"));
  EXPECT_FALSE(isValidVisitorId("0123456789abcdef0123456789abcdeg"));
}

// Every byte that is not a lower-case hex digit, at every position, makes the id invalid.
TEST(VisitorId, RejectsEveryOtherByteAnywhere) {
  const std::string valid = "0123456789abcdef0123456789abcdef";
  ASSERT_TRUE(isValidVisitorId(valid));
  for (int b = 0; b < 256; ++b) {
    const char c = static_cast<char>(b);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) continue;
    for (size_t at = 0; at < valid.size(); ++at) {
      std::string id = valid;
      id[at] = c;
      ASSERT_FALSE(isValidVisitorId(id)) << "byte " << b << " at " << at;
    }
  }
}

TEST(VisitorCookie, Attributes) {
  std::string id(32, 'a');
  EXPECT_EQ(visitorCookie("__csy_vid", id, true),
            "__csy_vid=" + id + "; Max-Age=34128000; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(visitorCookie("__csy_vid", id, false),
            "__csy_vid=" + id + "; Max-Age=34128000; Path=/; HttpOnly; SameSite=Lax");
  EXPECT_EQ(expiredVisitorCookie("__csy_vid", true),
            "__csy_vid=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(kVisitorCookieMaxAge, 395 * 24 * 3600);
}

TEST(DailyHash, StableWithinDayDifferentAcrossInputsAndDays) {
  using namespace std::chrono;
  auto secret = std::make_shared<DailySecret>();
  DailyHasher a(secret), b(secret);
  auto day1 = sys_days{year{2026} / 11 / 29} + hours{1};
  auto h1 = a.hash("example.com", "203.0.113.7", "UA", day1);
  ASSERT_TRUE(h1);
  EXPECT_TRUE(isValidVisitorId(*h1));
  // Another worker, same day: same secret, same hash.
  EXPECT_EQ(*b.hash("example.com", "203.0.113.7", "UA", day1 + hours{20}), *h1);
  EXPECT_NE(*a.hash("example.org", "203.0.113.7", "UA", day1), *h1);
  EXPECT_NE(*a.hash("example.com", "203.0.113.8", "UA", day1), *h1);
  EXPECT_NE(*a.hash("example.com", "203.0.113.7", "UA2", day1), *h1);
  // Field boundaries matter: ("ab","c") and ("a","bc") differ.
  EXPECT_NE(*a.hash("ab", "c", "", day1), *a.hash("a", "bc", "", day1));
  // The next UTC day uses a new secret.
  auto h2 = a.hash("example.com", "203.0.113.7", "UA", day1 + hours{24});
  ASSERT_TRUE(h2);
  EXPECT_NE(*h2, *h1);
  // Yesterday's secret is gone from the shared store: a worker that has not cached it gets an
  // error, not a value computed with some other key.
  DailyHasher c(secret);
  EXPECT_FALSE(c.hash("example.com", "203.0.113.7", "UA", day1));
  EXPECT_FALSE(a.hash("example.com", "203.0.113.7", "UA", day1));
}

TEST(DailyHash, SecretIsPerProcessRandom) {
  using namespace std::chrono;
  auto now = system_clock::now();
  DailyHasher a(std::make_shared<DailySecret>()), b(std::make_shared<DailySecret>());
  EXPECT_NE(*a.hash("h", "1.2.3.4", "ua", now), *b.hash("h", "1.2.3.4", "ua", now));
}

}  // namespace
}  // namespace consentry::filters::telemetry
