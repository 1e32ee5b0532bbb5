#pragma once
// PII detectors for SPEC §9 invariant 6: email, international phone numbers, payment cards
// (Luhn), IBANs (mod-97), JWTs and IP addresses. Hand-written scanners, no regex and no
// allocation: most strings contain none of these, so each detector first looks for the one
// character its pattern cannot do without ('@', '+', a digit, ...).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace consentry::filters::scrub {

enum class Detector : uint8_t { Email, Phone, Card, Iban, Jwt, Ip };

// A set of detectors as a bitmask.
class DetectorSet {
 public:
  constexpr DetectorSet() = default;
  static constexpr DetectorSet all() { return DetectorSet(0x3f); }
  constexpr DetectorSet& add(Detector d) {
    bits_ = static_cast<uint8_t>(bits_ | bit(d));
    return *this;
  }
  constexpr bool has(Detector d) const { return (bits_ & bit(d)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool operator==(const DetectorSet&) const = default;
  constexpr uint8_t bits() const { return bits_; }

 private:
  constexpr explicit DetectorSet(uint8_t bits) : bits_(bits) {}
  static constexpr uint8_t bit(Detector d) {
    return static_cast<uint8_t>(1u << static_cast<int>(d));
  }
  uint8_t bits_ = 0;
};

// "email" | "phone" | "card" | "iban" | "jwt" | "ip" (the config names), or false.
bool detectorFromName(std::string_view name, Detector& out);

// Half-open byte range [begin, end) of a match.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Each finds the first match that starts at or after `from`.
bool findEmail(std::string_view text, size_t from, Span& match);
bool findPhone(std::string_view text, size_t from, Span& match);
bool findCard(std::string_view text, size_t from, Span& match);
bool findIban(std::string_view text, size_t from, Span& match);
bool findJwt(std::string_view text, size_t from, Span& match);
bool findIpAddress(std::string_view text, size_t from, Span& match);

// Checksums, exposed for tests: digits only / compact uppercase IBAN.
bool luhnValid(std::string_view digits);
bool ibanValid(std::string_view compactIban);

// The detectors of `set` that could match somewhere in `text`, judged from character counts (a
// card needs 13 digits, an email an '@' and a '.', ...) and two shapes (an IBAN's two letters and
// two digits, a JWT header's 16 base64url characters before a dot). Counts only shrink and shapes
// only disappear for substrings and when '+' decodes to a space, so the answer also covers any
// component of `text` as long as `text` has no %XX escape.
DetectorSet possibleDetectors(std::string_view text, DetectorSet set);

// What possibleDetectors judges a text by: its size, class counts and the two shapes (`jwtHeader`
// only matters when the text has two dots and 18 bytes). UrlMasks judges URL components by the
// same rules from bit masks, and counts only as far as the tests below read (dots and colons up
// to 3, digits where a test needs them).
struct TextClasses {
  size_t size = 0, digits = 0, dots = 0, colons = 0, ats = 0, pluses = 0;
  bool ibanHead = false, jwtHeader = false;
};
inline DetectorSet detectorsFor(const TextClasses& t, DetectorSet set) {
  DetectorSet out;
  // Each test is a necessary condition of its scanner, never a sufficient one. The IBAN head
  // (two letters, two digits) implies the two letters and two digits an IBAN needs.
  if (set.has(Detector::Email) && t.ats > 0 && t.dots > 0) out.add(Detector::Email);
  if (set.has(Detector::Phone) && t.pluses > 0 && t.digits >= 8) out.add(Detector::Phone);
  if (set.has(Detector::Card) && t.digits >= 13) out.add(Detector::Card);
  if (set.has(Detector::Iban) && t.size >= 15 && t.ibanHead) out.add(Detector::Iban);
  if (set.has(Detector::Jwt) && t.dots >= 2 && t.size >= 18 && t.jwtHeader) {
    out.add(Detector::Jwt);
  }
  if (set.has(Detector::Ip) && ((t.dots >= 3 && t.digits >= 4) || t.colons >= 2)) {
    out.add(Detector::Ip);
  }
  return out;
}

// The shortest text in which possibleDetectors could leave any detector of `set` (each
// detector's minimum from the counts it needs). Percent-decoding only shortens a text, so a raw
// component shorter than this needs neither decoding nor scanning.
inline size_t minPossibleLength(DetectorSet set) {
  // Kept next to possibleDetectors: each minimum is the smallest size its condition there allows,
  // in the order of Detector. A table of every set: this runs for every URL component.
  static constexpr size_t kEach[] = {
      2,   // email: an '@' and a '.'
      9,   // phone: a '+' and 8 digits
      13,  // card: 13 digits
      15,  // iban: size >= 15
      18,  // jwt: size >= 18
      2,   // ip: two colons (or 3 dots and 4 digits)
  };
  static constexpr auto kMin = [] {
    std::array<size_t, 64> table{};
    for (size_t bits = 0; bits < table.size(); ++bits) {
      table[bits] = SIZE_MAX;
      for (size_t d = 0; d < std::size(kEach); ++d) {
        if ((bits >> d & 1) != 0 && kEach[d] < table[bits]) table[bits] = kEach[d];
      }
    }
    return table;
  }();
  return kMin[set.bits()];
}

// Runs the detectors of `set` over `text` and writes up to out.size() non-overlapping matches,
// sorted, overlapping ones merged. Returns how many were written; `truncated` is set when more
// matches existed than fit.
size_t findPii(std::string_view text, DetectorSet set, std::span<Span> out, bool& truncated);

// findPii for a `set` that possibleDetectors has narrowed already (for `text` or a text that
// contains it): runs each of its detectors without counting the text's characters again.
size_t findPiiOf(std::string_view text, DetectorSet set, std::span<Span> out, bool& truncated);

}  // namespace consentry::filters::scrub
