#include "base/ip_address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>

namespace consentry {
namespace {

TEST(IpAddress, ParsesAndFormats) {
  EXPECT_EQ(IpAddress::parse("203.0.113.7")->toString(), "203.0.113.7");
  EXPECT_EQ(IpAddress::parse("2001:DB8::1")->toString(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("[2001:db8::1]")->toString(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_FALSE(IpAddress::parse("1.2.3"));
  EXPECT_FALSE(IpAddress::parse("1.2.3.256"));
  EXPECT_FALSE(IpAddress::parse("::g"));
  EXPECT_FALSE(IpAddress::parse("1.2.3.4 "));
  EXPECT_FALSE(IpAddress::parse(std::string(100, '1')));
}

TEST(IpAddress, UnmapsV4MappedV6) {
  auto a = IpAddress::parse("::ffff:198.51.100.3");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->isV4());
  EXPECT_EQ(a->unmapped().toString(), "198.51.100.3");
  EXPECT_TRUE(a->unmapped().isV4());
}

TEST(IpAddress, Truncates) {
  EXPECT_EQ(IpAddress::parse("203.0.113.77")->truncated(24).toString(), "203.0.113.0");
  EXPECT_EQ(IpAddress::parse("203.0.113.77")->truncated(20).toString(), "203.0.112.0");
  EXPECT_EQ(IpAddress::parse("203.0.113.77")->truncated(0).toString(), "0.0.0.0");
  EXPECT_EQ(IpAddress::parse("203.0.113.77")->truncated(99).toString(), "203.0.113.77");
  EXPECT_EQ(IpAddress::parse("2001:db8:abcd:1234::1")->truncated(48).toString(), "2001:db8:abcd::");
  EXPECT_EQ(IpAddress::parse("2001:db8:abcd:1234:ffff::1")->truncated(72).toString(),
            "2001:db8:abcd:1234:ff00::");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->truncated(-3).toString(), "::");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->truncated(128).toString(), "2001:db8::1");
  EXPECT_EQ(IpAddress::parse("2001:db8::1")->truncated(127).toString(), "2001:db8::");
}

// Property: a truncated address never carries a set bit beyond the prefix.
TEST(IpAddress, TruncationPropertyNoExtraBits) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 5000; ++i) {
    std::array<uint8_t, 16> b{};
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    IpAddress a = (i % 2) ? IpAddress::v6(b) : IpAddress::v4(static_cast<uint32_t>(rng()));
    int bits = static_cast<int>(rng() % (a.bitLength() + 1));
    IpAddress t = a.truncated(bits);
    for (int bit = bits; bit < a.bitLength(); ++bit) {
      ASSERT_EQ(t.bytes()[bit / 8] & (0x80 >> (bit % 8)), 0) << a.toString() << "/" << bits;
    }
    for (int bit = 0; bit < bits; ++bit) {
      ASSERT_EQ(t.bytes()[bit / 8] & (0x80 >> (bit % 8)), a.bytes()[bit / 8] & (0x80 >> (bit % 8)));
    }
  }
}

TEST(IpAddress, PrivateAndLoopback) {
  EXPECT_TRUE(IpAddress::parse("127.0.0.1")->isLoopback());
  EXPECT_TRUE(IpAddress::parse("::1")->isLoopback());
  EXPECT_TRUE(IpAddress::parse("10.1.2.3")->isPrivate());
  EXPECT_TRUE(IpAddress::parse("172.16.0.1")->isPrivate());
  EXPECT_FALSE(IpAddress::parse("172.32.0.1")->isPrivate());
  EXPECT_TRUE(IpAddress::parse("192.168.1.1")->isPrivate());
  EXPECT_TRUE(IpAddress::parse("fd00::1")->isPrivate());
  EXPECT_TRUE(IpAddress::parse("fe80::1")->isPrivate());
  EXPECT_FALSE(IpAddress::parse("8.8.8.8")->isPrivate());
  EXPECT_FALSE(IpAddress::parse("2001:db8::1")->isPrivate());
}

TEST(IpNetwork, ParsesAndMatches) {
  auto n = IpNetwork::parse("10.0.0.0/8");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->contains(*IpAddress::parse("10.200.1.1")));
  EXPECT_TRUE(n->contains(*IpAddress::parse("::ffff:10.1.1.1")));
  EXPECT_FALSE(n->contains(*IpAddress::parse("11.0.0.1")));
  EXPECT_FALSE(n->contains(*IpAddress::parse("::1")));
  auto host = IpNetwork::parse("127.0.0.1");
  EXPECT_EQ(host->prefixLength(), 32);
  EXPECT_EQ(IpNetwork::parse("10.1.2.3/8")->toString(), "10.0.0.0/8");
  EXPECT_TRUE(IpNetwork::parse("2001:db8::/32")->contains(*IpAddress::parse("2001:db8:1::5")));
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0/33"));
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0/"));
  EXPECT_FALSE(IpNetwork::parse("10.0.0.0/-1"));
  EXPECT_FALSE(IpNetwork::parse("::/129"));
}

TEST(IpAddress, V4TextMatchesInetNtopForEveryOctetValue) {
  EXPECT_EQ(IpAddress::v4(0).toString(), "0.0.0.0");
  EXPECT_EQ(IpAddress::v4(0xffffffffu).toString(), "255.255.255.255");
  std::mt19937 random(7);
  for (uint32_t i = 0; i < 4096; ++i) {
    // Every octet value in every position, plus random addresses.
    const uint32_t a = i < 256 ? i * 0x01010101u : static_cast<uint32_t>(random());
    const uint32_t network = htonl(a);
    char expected[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, &network, expected, sizeof expected), nullptr);
    EXPECT_EQ(IpAddress::v4(a).toString(), expected);
  }
}

// Every zero/non-zero pattern of the eight groups (which decides where "::" goes), each with
// random group values, plus the mapped (::ffff:a.b.c.d) and compatible (::a.b.c.d) forms and
// their near misses, must read exactly as glibc's inet_ntop writes them.
TEST(IpAddress, V6TextMatchesInetNtopForEveryZeroGroupPattern) {
  std::mt19937 random(11);
  auto check = [](const std::array<uint8_t, 16>& bytes) {
    char expected[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET6, bytes.data(), expected, sizeof expected), nullptr);
    EXPECT_EQ(IpAddress::v6(bytes).toString(), expected);
  };
  for (int pattern = 0; pattern < 256; ++pattern) {
    for (int round = 0; round < 8; ++round) {
      std::array<uint8_t, 16> bytes{};
      for (int g = 0; g < 8; ++g) {
        if ((pattern >> g & 1) == 0) continue;
        // Small values too, so that groups print with 1 to 4 hex digits.
        const uint32_t v = 1 + random() % (round % 2 == 0 ? 0xffffu : 0xfu);
        bytes[2 * g] = static_cast<uint8_t>(v >> 8);
        bytes[2 * g + 1] = static_cast<uint8_t>(v);
      }
      check(bytes);
      // The same pattern with the last 32 bits as an IPv4 address, ::ffff: in front or not.
      for (uint8_t b5 : {uint8_t{0}, uint8_t{0xff}}) {
        std::array<uint8_t, 16> v4 = bytes;
        v4[10] = v4[11] = b5;
        for (int k = 12; k < 16; ++k) v4[k] = static_cast<uint8_t>(random());
        check(v4);
      }
    }
  }
}

// Every group value (1 to 4 hex digits, letters and digits in every nibble) as the first, a
// middle and the last group, where the text ends.
TEST(IpAddress, V6TextMatchesInetNtopForEveryGroupValue) {
  for (uint32_t v = 0; v <= 0xffff; ++v) {
    for (const int g : {0, 3, 7}) {
      std::array<uint8_t, 16> bytes{};
      for (int k = 0; k < 8; ++k) {
        const uint32_t value = k == g ? v : 0x1a2b + static_cast<uint32_t>(k);
        bytes[2 * k] = static_cast<uint8_t>(value >> 8);
        bytes[2 * k + 1] = static_cast<uint8_t>(value);
      }
      char expected[INET6_ADDRSTRLEN];
      ASSERT_NE(inet_ntop(AF_INET6, bytes.data(), expected, sizeof expected), nullptr);
      ASSERT_EQ(IpAddress::v6(bytes).toString(), expected) << v << " in group " << g;
    }
  }
}

}  // namespace
}  // namespace consentry
