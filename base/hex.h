#pragma once
// Lower-case hex text of 16 bytes, and the check that 32 bytes are such text, 16 bytes per step
// (SSE2, part of the x86-64 baseline). Every event makes one (UUIDv7 text) or two (a new
// visitor id) of these and checks the visitor cookie: a table lookup per nibble and a compare
// loop per character cost ~400 instructions of the event path.
// Also the reading of one "%XX" escape, for every percent-decoder of the product.

#include <emmintrin.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace consentry::hex {

// The 32 hex digits of 16 bytes, high nibble first: digits 0-15 in `low`, 16-31 in `high`.
struct Digits32 {
  __m128i low;
  __m128i high;
};

inline __m128i nibblesToDigits(__m128i nibbles) {
  // '0' + n, and 'a' - '0' - 10 more where n > 9.
  const __m128i letters = _mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9));
  return _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8('0')),
                      _mm_and_si128(letters, _mm_set1_epi8('a' - '0' - 10)));
}

// Of the 16 bytes in v, in memory order.
inline Digits32 digits16(__m128i v) {
  const __m128i mask = _mm_set1_epi8(0x0f);
  const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), mask);
  const __m128i lo = _mm_and_si128(v, mask);
  return {nibblesToDigits(_mm_unpacklo_epi8(hi, lo)), nibblesToDigits(_mm_unpackhi_epi8(hi, lo))};
}

inline Digits32 digits16(const uint8_t* bytes) {
  __m128i v;
  std::memcpy(&v, bytes, sizeof v);
  return digits16(v);
}

// Writes the 32 hex digits of the 16 bytes at `bytes` to `out`.
inline void write32(const uint8_t* bytes, char* out) {
  const Digits32 d = digits16(bytes);
  std::memcpy(out, &d.low, sizeof d.low);
  std::memcpy(out + 16, &d.high, sizeof d.high);
}

// All bits set in the lanes of v that hold '0'-'9' or 'a'-'f'. SSE2 compares are signed only:
// shifting a range's first byte to -128 turns "first <= c < first + n" into one signed compare.
inline __m128i lowerHexLanes(__m128i v) {
  const __m128i digit =
      _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - '0'))),
                     _mm_set1_epi8(static_cast<char>(0x80 + 10)));
  const __m128i letter =
      _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - 'a'))),
                     _mm_set1_epi8(static_cast<char>(0x80 + 6)));
  return _mm_or_si128(digit, letter);
}

// True when the 32 bytes at s are all '0'-'9' or 'a'-'f'.
inline bool isLowerHex32(const char* s) {
  __m128i a, b;
  std::memcpy(&a, s, sizeof a);
  std::memcpy(&b, s + 16, sizeof b);
  return _mm_movemask_epi8(_mm_and_si128(lowerHexLanes(a), lowerHexLanes(b))) == 0xFFFF;
}

// A hex digit's value (either case) by byte; kNotDigit for any other byte. kNotDigit has a bit no
// digit's value has, so one test covers both digits of an escape.
inline constexpr uint8_t kNotDigit = 16;
inline constexpr std::array<uint8_t, 256> kDigitValues = [] {
  std::array<uint8_t, 256> t{};
  t.fill(kNotDigit);
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<uint8_t>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<uint8_t>(10 + c);
  return t;
}();

// The byte the escape "%XX" at text[i] (a '%') stands for, or -1 when it starts no escape (two
// hex digits must follow; a '%' without them is kept literally by every decoder). Inline and a
// table rather than three range tests per digit: the consent parsers meet ~10 escapes per
// cookie value, the scrubber one per encoded byte of a URL.
inline int escapeAt(std::string_view text, size_t i) {
  if (i + 2 >= text.size()) return -1;
  const unsigned hi = kDigitValues[static_cast<uint8_t>(text[i + 1])];
  const unsigned lo = kDigitValues[static_cast<uint8_t>(text[i + 2])];
  return ((hi | lo) & kNotDigit) == 0 ? static_cast<int>(hi * 16 + lo) : -1;
}

}  // namespace consentry::hex
