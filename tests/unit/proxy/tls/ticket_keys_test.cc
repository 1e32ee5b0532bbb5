#include "proxy/tls/ticket_keys.h"

#include <gtest/gtest.h>

namespace consentry::proxy::tls {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// Any point far from the clock's epoch: the keys only look at differences.
const TicketKeys::Clock::time_point t0 = TicketKeys::Clock::time_point{} + hours(1000);

TEST(TicketKeys, OneKeyWithinAPeriod) {
  TicketKeys keys(hours(12));
  auto first = keys.encryptionKey(t0);
  auto later = keys.encryptionKey(t0 + hours(11));
  EXPECT_EQ(first.name, later.name);
  EXPECT_EQ(first.aes, later.aes);
  auto found = keys.find(first.name.data(), t0 + hours(11));
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->current);
  EXPECT_EQ(found->key.hmac, first.hmac);
}

TEST(TicketKeys, PreviousKeyStillDecryptsAfterOneRotation) {
  TicketKeys keys(hours(12));
  auto old = keys.encryptionKey(t0);
  auto fresh = keys.encryptionKey(t0 + hours(12));
  EXPECT_NE(old.name, fresh.name);
  EXPECT_NE(old.aes, fresh.aes);
  EXPECT_NE(old.hmac, fresh.hmac);
  auto found = keys.find(old.name.data(), t0 + hours(13));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->current);  // resumes, and the client gets a ticket under the new key
  EXPECT_EQ(found->key.aes, old.aes);
}

TEST(TicketKeys, KeyIsGoneAfterTwoRotations) {
  TicketKeys keys(hours(12));
  auto old = keys.encryptionKey(t0);
  (void)keys.encryptionKey(t0 + hours(12));
  auto newest = keys.encryptionKey(t0 + hours(24));
  EXPECT_FALSE(keys.find(old.name.data(), t0 + hours(24)));
  EXPECT_TRUE(keys.find(newest.name.data(), t0 + hours(24)));
}

TEST(TicketKeys, LongIdleDropsThePreviousKeyToo) {
  TicketKeys keys(minutes(10));
  auto old = keys.encryptionKey(t0);
  // Nothing happened for three periods: the old key's tickets have all expired.
  EXPECT_FALSE(keys.find(old.name.data(), t0 + minutes(30)));
}

TEST(TicketKeys, UnknownNameIsNotFound) {
  TicketKeys keys(hours(1));
  auto key = keys.encryptionKey(t0);
  key.name[0] ^= 0xff;
  EXPECT_FALSE(keys.find(key.name.data(), t0));
}

TEST(TicketKeys, ShorterRotationAppliesToTheCurrentKey) {
  TicketKeys keys(hours(12));
  auto first = keys.encryptionKey(t0);
  keys.setRotation(hours(1));
  EXPECT_EQ(keys.rotation(), hours(1));
  EXPECT_NE(keys.encryptionKey(t0 + hours(2)).name, first.name);
}

TEST(TicketKeys, TwoListenersNeverShareAKey) {
  TicketKeys a(hours(1));
  TicketKeys b(hours(1));
  EXPECT_NE(a.encryptionKey(t0).aes, b.encryptionKey(t0).aes);
  EXPECT_FALSE(b.find(a.encryptionKey(t0).name.data(), t0));
}

}  // namespace
}  // namespace consentry::proxy::tls
