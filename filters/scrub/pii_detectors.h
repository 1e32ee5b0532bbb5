#pragma once
// PII detectors for SPEC §9 invariant 6: email, international phone numbers, payment cards
// (Luhn), IBANs (mod-97), JWTs and IP addresses. Hand-written scanners, no regex and no
// allocation: most strings contain none of these, so each detector first looks for the one
// character its pattern cannot do without ('@', '+', a digit, ...).

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

// The shortest text in which possibleDetectors could leave any detector of `set` (each
// detector's minimum from the counts it needs). Percent-decoding only shortens a text, so a raw
// component shorter than this needs neither decoding nor scanning.
size_t minPossibleLength(DetectorSet set);

// Runs the detectors of `set` over `text` and writes up to out.size() non-overlapping matches,
// sorted, overlapping ones merged. Returns how many were written; `truncated` is set when more
// matches existed than fit.
size_t findPii(std::string_view text, DetectorSet set, std::span<Span> out, bool& truncated);

}  // namespace consentry::filters::scrub
