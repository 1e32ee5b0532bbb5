#pragma once
// IPv4/IPv6 address value type: parsing, formatting, prefix truncation and CIDR matching.
// IPv4 is stored as IPv4 (not mapped) so that policies can apply v4 prefix lengths.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sockaddr;

namespace consentry {

class IpAddress {
 public:
  enum class Family : uint8_t { V4, V6 };

  IpAddress() = default;
  static IpAddress v4(uint32_t hostOrder);
  static IpAddress v6(const std::array<uint8_t, 16>& bytes);
  // Accepts dotted quad, RFC 4291/5952 text, "[v6]" and zone-less forms only.
  static std::optional<IpAddress> parse(std::string_view text);
  static std::optional<IpAddress> fromSockaddr(const sockaddr* sa);

  Family family() const { return family_; }
  bool isV4() const { return family_ == Family::V4; }
  // Bytes in network order: 4 significant bytes for V4, 16 for V6.
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  int bitLength() const { return isV4() ? 32 : 128; }

  // ::ffff:a.b.c.d becomes a.b.c.d; anything else is returned unchanged.
  IpAddress unmapped() const;
  // Keeps the first `bits` bits and zeroes the rest (clamped to the family's length).
  IpAddress truncated(int bits) const;
  bool isLoopback() const;
  bool isPrivate() const;  // RFC 1918, RFC 4193, link-local, loopback, unspecified

  std::string toString() const;
  // The same text as toString() (byte for byte what inet_ntop gives, RFC 5952 shape) written at
  // `out`, which must have room for kMaxTextLength bytes (a few bytes past the returned end may be
  // overwritten); returns the end. No allocation.
  static constexpr size_t kMaxTextLength = 45;
  char* format(char* out) const;
  bool operator==(const IpAddress&) const = default;

 private:
  Family family_ = Family::V4;
  std::array<uint8_t, 16> bytes_{};
};

// A network in CIDR notation ("10.0.0.0/8", "::1/128", a bare address = host route).
class IpNetwork {
 public:
  static std::optional<IpNetwork> parse(std::string_view text);
  bool contains(const IpAddress& address) const;
  const IpAddress& address() const { return address_; }
  int prefixLength() const { return prefix_; }
  std::string toString() const;
  bool operator==(const IpNetwork&) const = default;

 private:
  IpAddress address_;
  int prefix_ = 0;
};

}  // namespace consentry
