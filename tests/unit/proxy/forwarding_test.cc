#include "proxy/forwarding.h"

#include <gtest/gtest.h>

#include <vector>

namespace consentry::proxy {
namespace {

IpAddress ip(std::string_view text) {
  return *IpAddress::parse(text);
}
std::vector<IpNetwork> nets(std::initializer_list<std::string_view> list) {
  std::vector<IpNetwork> out;
  for (auto n : list) out.push_back(*IpNetwork::parse(n));
  return out;
}

TEST(ClientIp, UntrustedPeerIgnoresHeaders) {
  std::vector<HeaderField> headers = {{"X-Forwarded-For", "1.2.3.4"}};
  auto trusted = nets({"10.0.0.0/8"});
  EXPECT_EQ(resolveClientIp(ip("192.0.2.7"), headers, trusted), ip("192.0.2.7"));
  EXPECT_EQ(resolveClientIp(ip("192.0.2.7"), headers, {}), ip("192.0.2.7"));
}

TEST(ClientIp, TrustedPeerTakesRightmostUntrusted) {
  std::vector<HeaderField> headers = {{"X-Forwarded-For", "203.0.113.9, 198.51.100.1, 10.1.1.1"}};
  auto trusted = nets({"10.0.0.0/8", "127.0.0.1/32"});
  EXPECT_EQ(resolveClientIp(ip("127.0.0.1"), headers, trusted), ip("198.51.100.1"));
}

TEST(ClientIp, RepeatedHeadersAreOneList) {
  std::vector<HeaderField> headers = {{"x-forwarded-for", "203.0.113.9"},
                                      {"X-Forwarded-For", "10.0.0.2"}};
  auto trusted = nets({"10.0.0.0/8"});
  EXPECT_EQ(resolveClientIp(ip("10.0.0.1"), headers, trusted), ip("203.0.113.9"));
}

TEST(ClientIp, AllTrustedGivesLeftmost) {
  std::vector<HeaderField> headers = {{"X-Forwarded-For", "10.0.0.3, 10.0.0.2"}};
  auto trusted = nets({"10.0.0.0/8"});
  EXPECT_EQ(resolveClientIp(ip("10.0.0.1"), headers, trusted), ip("10.0.0.3"));
}

TEST(ClientIp, GarbageStopsTheWalk) {
  std::vector<HeaderField> headers = {{"X-Forwarded-For", "203.0.113.9, unknown, 10.0.0.2"}};
  auto trusted = nets({"10.0.0.0/8"});
  // "unknown" cannot be trusted, so nothing to its left can be believed either.
  EXPECT_EQ(resolveClientIp(ip("10.0.0.1"), headers, trusted), ip("10.0.0.2"));
}

TEST(ClientIp, PortsAndBracketsAreAccepted) {
  auto trusted = nets({"10.0.0.0/8"});
  std::vector<HeaderField> v4port = {{"X-Forwarded-For", "203.0.113.9:4711"}};
  EXPECT_EQ(resolveClientIp(ip("10.0.0.1"), v4port, trusted), ip("203.0.113.9"));
  std::vector<HeaderField> v6 = {{"X-Forwarded-For", "[2001:db8::1]:443"}};
  EXPECT_EQ(resolveClientIp(ip("10.0.0.1"), v6, trusted), ip("2001:db8::1"));
}

TEST(ClientIp, ForwardedUsedWithoutXff) {
  std::vector<HeaderField> headers = {
      {"Forwarded", "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\""}};
  auto trusted = nets({"127.0.0.0/8"});
  EXPECT_EQ(resolveClientIp(ip("127.0.0.1"), headers, trusted), ip("2001:db8:cafe::17"));
  auto trustedV6 = nets({"127.0.0.0/8", "2001:db8:cafe::/48"});
  EXPECT_EQ(resolveClientIp(ip("127.0.0.1"), headers, trustedV6), ip("192.0.2.60"));
}

TEST(HopByHop, StandardAndNominated) {
  std::vector<HeaderField> headers = {{"Connection", "keep-alive, X-Secret"},
                                      {"connection", "close"}};
  auto tokens = ConnectionTokens::from(headers);
  EXPECT_EQ(tokens.count, 3u);
  for (auto name : {"Connection", "keep-alive", "Proxy-Connection", "TE", "Trailer",
                    "Transfer-Encoding", "Upgrade", "x-secret", "Close"}) {
    EXPECT_TRUE(isHopByHop(name, tokens)) << name;
  }
  for (auto name : {"Host", "Content-Length", "Cookie", "X-Secrets", "Te2"}) {
    EXPECT_FALSE(isHopByHop(name, tokens)) << name;
  }
  EXPECT_FALSE(isHopByHop("X-Secret", ConnectionTokens{}));
}

TEST(ForwardingHeaders, ReplacedForUntrustedPeer) {
  std::vector<HeaderField> headers = {
      {"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-Proto", "https"}, {"Forwarded", "for=6.6.6.6"}};
  std::string out;
  appendForwardingHeaders(out, headers, ForwardInfo{ip("192.0.2.1"), false, "http", "ex.com"});
  EXPECT_EQ(out,
            "X-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: http\r\n"
            "X-Forwarded-Host: ex.com\r\nForwarded: for=192.0.2.1;proto=http;host=ex.com\r\n");
}

TEST(ForwardingHeaders, AppendedForTrustedPeer) {
  std::vector<HeaderField> headers = {{"X-Forwarded-For", "203.0.113.9"},
                                      {"x-forwarded-for", "198.51.100.2"},
                                      {"Forwarded", "for=203.0.113.9"}};
  std::string out;
  appendForwardingHeaders(out, headers, ForwardInfo{ip("::1"), true, "https", "ex.com:8443"});
  EXPECT_NE(out.find("X-Forwarded-For: 203.0.113.9, 198.51.100.2, ::1\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Forwarded-Proto: https\r\n"), std::string::npos);
  EXPECT_NE(
      out.find("Forwarded: for=203.0.113.9, for=\"[::1]\";proto=https;host=\"ex.com:8443\"\r\n"),
      std::string::npos)
      << out;
}

TEST(ForwardingHeaders, Names) {
  EXPECT_TRUE(isForwardingHeader("forwarded"));
  EXPECT_TRUE(isForwardingHeader("X-FORWARDED-FOR"));
  EXPECT_TRUE(isForwardingHeader("x-forwarded-host"));
  EXPECT_TRUE(isForwardingHeader("X-Forwarded-Proto"));
  EXPECT_FALSE(isForwardingHeader("x-forwarded-port"));
  EXPECT_FALSE(isForwardingHeader("host"));
}

}  // namespace
}  // namespace consentry::proxy
