#pragma once
// One pass over a URL that answers every question the scrubber asks about it: where its
// delimiters are, whether a component needs percent-decoding, and which detectors
// possibleDetectors would leave for a component. Each is a bit mask of the URL (bit i: byte i
// is a '/', a digit, the start of an IBAN head, ...), so the per-component questions are a few
// ANDs instead of a scan of the component each (the separate scans for delimiters, escapes and
// class counts went over most bytes of a URL three to five times).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "filters/scrub/pii_detectors.h"

namespace consentry::filters::scrub {

// The delimiters the scrubber looks for.
enum class UrlMark : uint8_t { Slash, Question, Hash, HashOrQuestion, PairEnd /* & ; */, Equals };

namespace url_masks {

enum Kind : uint8_t {
  // From the bytes.
  kSlash,
  kQuestion,
  kHash,
  kPairEnd,
  kEquals,
  kPercent,
  kPlus,
  kDigit,
  kDot,
  kColon,
  kAt,
  // Derived from the few bytes that can start them (a '%', a pair of digits, a dot) rather than
  // from masks of hex digits, letters and base64url characters: at the first byte of a %XX
  // escape, of two letters then two digits; at a dot after 16 base64url characters.
  kEscape,
  kIbanHead,
  kJwtDot,
  kKinds
};
inline constexpr size_t kFromBytes = kEscape;

// The bits of word w that stand for positions [begin, end) (begin < end, w in range).
inline uint64_t rangeIn(size_t w, size_t begin, size_t end) {
  const size_t lo = w * 64;
  uint64_t m = ~uint64_t{0};
  if (begin > lo) m &= ~uint64_t{0} << (begin - lo);
  if (end < lo + 64) m &= (uint64_t{1} << (end - lo)) - 1;
  return m;
}

// std::popcount is a libgcc call without -mpopcnt (not in the x86-64 baseline).
inline size_t bitCount(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555;
  x = (x & 0x3333333333333333) + ((x >> 2) & 0x3333333333333333);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f;
  return static_cast<size_t>((x * 0x0101010101010101) >> 56);
}

// The number of bits of x, or 3 when there are more.
inline size_t upTo3(uint64_t x) {
  const uint64_t x1 = x & (x - 1);
  const uint64_t x2 = x1 & (x1 - 1);
  return static_cast<size_t>(x != 0) + static_cast<size_t>(x1 != 0) + static_cast<size_t>(x2 != 0);
}

}  // namespace url_masks

// Masks of a URL of up to 64 * Words bytes (instances for 1, 2 and 4 words: a fixed size lets
// the compiler unroll every loop over the words, and most URLs fit one).
template <size_t Words>
class UrlMasks {
 public:
  static constexpr size_t kMaxSize = 64 * Words;

  // `url` must not be longer than kMaxSize.
  void build(std::string_view url);

  // The first position in [from, end) holding `Mark`, or `end`.
  template <UrlMark Mark>
  size_t next(size_t from, size_t end) const {
    using namespace url_masks;
    for (size_t w = from / 64; w < Words && from < end && w * 64 < end; ++w) {
      uint64_t m = 0;
      if constexpr (Mark == UrlMark::Slash) m = bits_[kSlash][w];
      if constexpr (Mark == UrlMark::Question) m = bits_[kQuestion][w];
      if constexpr (Mark == UrlMark::Hash) m = bits_[kHash][w];
      if constexpr (Mark == UrlMark::HashOrQuestion) m = bits_[kHash][w] | bits_[kQuestion][w];
      if constexpr (Mark == UrlMark::PairEnd) m = bits_[kPairEnd][w];
      if constexpr (Mark == UrlMark::Equals) m = bits_[kEquals][w];
      m &= rangeIn(w, from, end);
      if (m != 0) return w * 64 + static_cast<size_t>(std::countr_zero(m));
    }
    return end;
  }

  bool hasPercent() const { return any(url_masks::kPercent, 0, size_); }

  // needsDecoding() of the bytes [begin, end): a %XX escape that fits, or a '+' if `plusIsSpace`.
  bool needsDecoding(size_t begin, size_t end, bool plusIsSpace) const {
    // An escape needs its two hex digits inside the range: it starts before end - 2.
    return (plusIsSpace && any(url_masks::kPlus, begin, end)) ||
           (end >= begin + 3 && any(url_masks::kEscape, begin, end - 2));
  }

  // possibleDetectors(url.substr(begin, end - begin), set), exactly.
  DetectorSet possible(size_t begin, size_t end, DetectorSet set) const {
    using namespace url_masks;
    if (set.empty() || begin >= end) return {};
    TextClasses t;
    t.size = end - begin;
    uint64_t ats = 0, pluses = 0;
    for (size_t w = begin / 64; w < Words && w * 64 < end; ++w) {
      const uint64_t range = rangeIn(w, begin, end);
      ats |= bits_[kAt][w] & range;
      pluses |= bits_[kPlus][w] & range;
      // Summed per word, up to 3 each still answers ">= 1", ">= 2" and ">= 3" exactly.
      t.dots += upTo3(bits_[kDot][w] & range);
      t.colons += upTo3(bits_[kColon][w] & range);
    }
    t.ats = ats != 0 ? 1 : 0;  // only tested for > 0
    t.pluses = pluses != 0 ? 1 : 0;
    // Digits matter for a card (13 bytes at least), a phone (a '+') and an IPv4 (three dots).
    if ((set.has(Detector::Card) && t.size >= 13) || (set.has(Detector::Phone) && pluses != 0) ||
        (set.has(Detector::Ip) && t.dots >= 3)) {
      for (size_t w = begin / 64; w < Words && w * 64 < end; ++w) {
        t.digits += bitCount(bits_[kDigit][w] & rangeIn(w, begin, end));
      }
    }
    // The shapes only where the counts leave them a chance. A head's four bytes and a header's
    // 16 before its dot must lie inside the range.
    t.ibanHead = set.has(Detector::Iban) && t.size >= 15 && any(kIbanHead, begin, end - 3);
    t.jwtHeader =
        set.has(Detector::Jwt) && t.dots >= 2 && t.size >= 18 && any(kJwtDot, begin + 16, end);
    return detectorsFor(t, set);
  }

 private:
  // Word w from `Blocks` blocks of 16 bytes: from `first` on, the last one at `last`, of which the
  // first `drop` bytes belong to the block before.
  template <int Blocks>
  void addWord(const char* first, const char* last, unsigned drop, size_t w);
  void derive();
  // Bits i+s of kind k for the positions i of word w (s in 1..63); bits i-s of `bits`.
  uint64_t above(url_masks::Kind k, size_t w, unsigned s) const {
    const uint64_t next = w + 1 < Words ? bits_[k][w + 1] << (64 - s) : 0;
    return (bits_[k][w] >> s) | next;
  }
  static uint64_t below(const std::array<uint64_t, Words>& bits, size_t w, unsigned s) {
    const uint64_t prev = w > 0 ? bits[w - 1] >> (64 - s) : 0;
    return (bits[w] << s) | prev;
  }
  bool any(url_masks::Kind k, size_t begin, size_t end) const {
    for (size_t w = begin / 64; w < Words && begin < end && w * 64 < end; ++w) {
      if ((bits_[k][w] & url_masks::rangeIn(w, begin, end)) != 0) return true;
    }
    return false;
  }

  std::array<std::array<uint64_t, Words>, url_masks::kKinds> bits_;
  std::string_view url_;
  size_t size_ = 0;
};

extern template class UrlMasks<1>;
extern template class UrlMasks<2>;
extern template class UrlMasks<4>;

}  // namespace consentry::filters::scrub
