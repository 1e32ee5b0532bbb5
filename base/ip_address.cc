#include "base/ip_address.h"

#include <arpa/inet.h>
#include <emmintrin.h>
#include <endian.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <charconv>
#include <cstring>

namespace consentry {

IpAddress IpAddress::v4(uint32_t hostOrder) {
  IpAddress a;
  a.family_ = Family::V4;
  a.bytes_[0] = static_cast<uint8_t>(hostOrder >> 24);
  a.bytes_[1] = static_cast<uint8_t>(hostOrder >> 16);
  a.bytes_[2] = static_cast<uint8_t>(hostOrder >> 8);
  a.bytes_[3] = static_cast<uint8_t>(hostOrder);
  return a;
}

IpAddress IpAddress::v6(const std::array<uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = Family::V6;
  a.bytes_ = bytes;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, buf, &v4) != 1) return std::nullopt;
    a.family_ = Family::V4;
    std::memcpy(a.bytes_.data(), &v4, 4);
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, buf, &v6) != 1) return std::nullopt;
  a.family_ = Family::V6;
  std::memcpy(a.bytes_.data(), &v6, 16);
  return a;
}

std::optional<IpAddress> IpAddress::fromSockaddr(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  IpAddress a;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    a.family_ = Family::V4;
    std::memcpy(a.bytes_.data(), &in->sin_addr, 4);
    return a;
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    a.family_ = Family::V6;
    std::memcpy(a.bytes_.data(), &in6->sin6_addr, 16);
    return a.unmapped();
  }
  return std::nullopt;
}

IpAddress IpAddress::unmapped() const {
  if (isV4()) return *this;
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(bytes_.data(), kPrefix, 12) != 0) return *this;
  IpAddress a;
  a.family_ = Family::V4;
  std::memcpy(a.bytes_.data(), bytes_.data() + 12, 4);
  return a;
}

// Two 64-bit masks in network order instead of a branch per byte: this runs for every event
// (the `ip: truncate` policy) and every trusted-proxy check.
IpAddress IpAddress::truncated(int bits) const {
  IpAddress a = *this;
  const int total = bitLength();
  if (bits >= total) return a;
  if (bits < 0) bits = 0;
  // A v4 address fills the first 4 bytes of bytes_ and the rest is zero, so the same masks apply.
  const uint64_t highMask = bits >= 64 ? ~uint64_t{0} : bits == 0 ? 0 : ~uint64_t{0} << (64 - bits);
  const uint64_t lowMask = bits <= 64 ? 0 : ~uint64_t{0} << (128 - bits);
  uint64_t high = 0, low = 0;
  std::memcpy(&high, a.bytes_.data(), 8);
  std::memcpy(&low, a.bytes_.data() + 8, 8);
  high &= htobe64(highMask);
  low &= htobe64(lowMask);
  std::memcpy(a.bytes_.data(), &high, 8);
  std::memcpy(a.bytes_.data() + 8, &low, 8);
  return a;
}

bool IpAddress::isLoopback() const {
  if (isV4()) return bytes_[0] == 127;
  static constexpr std::array<uint8_t, 16> kOne = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return bytes_ == kOne;
}

bool IpAddress::isPrivate() const {
  if (isLoopback()) return true;
  if (isV4()) {
    const uint8_t a = bytes_[0], b = bytes_[1];
    return a == 10 || a == 0 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168) ||
           (a == 169 && b == 254) || (a == 100 && (b & 0xc0) == 64);
  }
  bool zero = true;
  for (uint8_t x : bytes_) zero = zero && x == 0;
  return zero || (bytes_[0] & 0xfe) == 0xfc || (bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80);
}

namespace {

// Each byte value's decimal digits and a dot, 4 bytes an entry ("7.", "42.", "255."), and the
// number of digits, so that an octet is one 4-byte copy instead of a conversion: the event path
// formats every client address.
struct DecimalOctets {
  std::array<std::array<char, 4>, 256> text{};
  std::array<uint8_t, 256> digits{};
};
constexpr DecimalOctets makeDecimalOctets() {
  DecimalOctets t;
  for (int v = 0; v < 256; ++v) {
    size_t n = 0;
    if (v >= 100) t.text[v][n++] = static_cast<char>('0' + v / 100);
    if (v >= 10) t.text[v][n++] = static_cast<char>('0' + v / 10 % 10);
    t.text[v][n++] = static_cast<char>('0' + v % 10);
    t.text[v][n] = '.';
    t.digits[v] = static_cast<uint8_t>(n);
  }
  return t;
}
constexpr DecimalOctets kDecimalOctets = makeDecimalOctets();

// Writes 4 bytes per octet (the last one's dot and what follows it lie past the returned end,
// inside the kMaxTextLength room the caller provides).
char* formatV4(const uint8_t* b, char* out) {
  for (size_t i = 0; i < 3; ++i) {
    std::memcpy(out, kDecimalOctets.text[b[i]].data(), 4);
    out += kDecimalOctets.digits[b[i]] + 1;
  }
  std::memcpy(out, kDecimalOctets.text[b[3]].data(), 4);
  return out + kDecimalOctets.digits[b[3]];
}

// Each byte value's two hex digits, the first in the low byte (memory order).
constexpr std::array<uint16_t, 256> makeHexPairs() {
  std::array<uint16_t, 256> t{};
  constexpr char kDigits[] = "0123456789abcdef";
  for (int v = 0; v < 256; ++v) {
    t[v] = static_cast<uint16_t>(static_cast<uint8_t>(kDigits[v >> 4]) |
                                 static_cast<uint8_t>(kDigits[v & 15]) << 8);
  }
  return t;
}
constexpr std::array<uint16_t, 256> kHexPairs = makeHexPairs();

// A group's hex digits without leading zeros: its 4 digits from two table entries, shifted past
// the leading zeros (the first bytes in memory); writes 4 bytes, returns the end of the 1 to 4
// digits.
char* formatHexGroup(uint16_t group, char* out) {
  uint32_t text = kHexPairs[group >> 8] | static_cast<uint32_t>(kHexPairs[group & 0xff]) << 16;
  const int digits = group == 0 ? 1 : (35 - __builtin_clz(group)) / 4;
  text >>= 8 * (4 - digits);
  std::memcpy(out, &text, 4);
  return out + digits;
}

}  // namespace

// By hand, following inet_ntop's rules exactly: glibc formats through sprintf, a visible cost
// when every forwarded request and every event carries the client address. The longest run of
// two or more zero groups (the first of equal runs) becomes "::"; ::a.b.c.d and ::ffff:a.b.c.d
// end in a dotted quad.
char* IpAddress::format(char* out) const {
  if (isV4()) return formatV4(bytes_.data(), out);
  // The eight big-endian groups, and which of them are 0 (bit i for group i), 16 bytes at once.
  __m128i v;
  std::memcpy(&v, bytes_.data(), sizeof v);
  const __m128i zero16 = _mm_cmpeq_epi16(v, _mm_setzero_si128());
  const auto zeros =
      static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(zero16, zero16)) & 0xff);
  uint16_t groups[8];
  const __m128i swapped = _mm_or_si128(_mm_slli_epi16(v, 8), _mm_srli_epi16(v, 8));
  std::memcpy(groups, &swapped, sizeof groups);
  // The longest run of zero groups, the first of equal ones: one step per run.
  int bestBase = 8, bestLen = 0;
  for (unsigned rest = zeros; rest != 0;) {
    const int base = __builtin_ctz(rest);
    const int len = __builtin_ctz(~(rest >> base));
    if (len > bestLen) {
      bestBase = base;
      bestLen = len;
    }
    rest &= ~(((1u << len) - 1) << base);
  }
  if (bestLen < 2) bestBase = 8;
  if (bestBase == 0 && (bestLen == 6 || (bestLen == 5 && groups[5] == 0xffff))) {
    const std::string_view prefix = bestLen == 6 ? "::" : "::ffff:";
    std::memcpy(out, prefix.data(), prefix.size());
    return formatV4(bytes_.data() + 12, out + prefix.size());
  }
  for (int i = 0; i < bestBase; ++i) {
    if (i != 0) *out++ = ':';
    out = formatHexGroup(groups[i], out);
  }
  if (bestBase == 8) return out;
  *out++ = ':';  // with the one before the next group (or the last one), "::"
  if (bestBase + bestLen == 8) {
    *out++ = ':';
    return out;
  }
  for (int i = bestBase + bestLen; i < 8; ++i) {
    *out++ = ':';
    out = formatHexGroup(groups[i], out);
  }
  return out;
}

std::string IpAddress::toString() const {
  char buf[kMaxTextLength];
  return std::string(buf, format(buf));
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
  IpNetwork n;
  const auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  n.address_ = *addr;
  n.prefix_ = addr->bitLength();
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    int p = -1;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), p);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || p < 0 ||
        p > addr->bitLength()) {
      return std::nullopt;
    }
    n.prefix_ = p;
  }
  n.address_ = n.address_.truncated(n.prefix_);
  return n;
}

bool IpNetwork::contains(const IpAddress& address) const {
  const IpAddress a = address.unmapped();
  if (a.family() != address_.family()) return false;
  return a.truncated(prefix_) == address_;
}

std::string IpNetwork::toString() const {
  return address_.toString() + "/" + std::to_string(prefix_);
}

}  // namespace consentry
