#pragma once
// Internal to events/: a JSON writer over a region reserved in advance. event_json.cc reserves an
// upper bound for a whole event once and then writes through a raw pointer (a Cursor), because
// std::string::append per piece cost more than the serialization itself.

#include <emmintrin.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "base/ip_address.h"

namespace consentry::events::json {

namespace detail {

// 0: copied as is; 1: escaped; 2: first byte of a multi-byte (or invalid) UTF-8 sequence.
constexpr std::array<uint8_t, 256> makeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 2;
  return t;
}
inline constexpr std::array<uint8_t, 256> kClass = makeClasses();

// True when one of the bytes of x (8 or 4) is a control character, '"', '\\' or non-ASCII
// (SWAR: a byte below N is found by the borrow of (x - N) into its top bit).
template <typename Word>
inline bool needsAttention(Word x) {
  constexpr Word kOnes = static_cast<Word>(0x0101010101010101ULL);
  constexpr Word kHigh = static_cast<Word>(0x8080808080808080ULL);
  const Word control = (x - kOnes * 0x20) & ~x;
  Word quote = x ^ (kOnes * '"');
  Word backslash = x ^ (kOnes * '\\');
  quote = (quote - kOnes) & ~quote;
  backslash = (backslash - kOnes) & ~backslash;
  return ((control | quote | backslash | x) & kHigh) != 0;
}

// The lanes of v that need attention (needsAttention for 16 bytes): signed compares put
// non-ASCII bytes (negative) below 0x20 too.
inline __m128i attentionLanes(__m128i v) {
  return _mm_or_si128(
      _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
      _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
}
inline bool needsAttention16(__m128i v) {
  return _mm_movemask_epi8(attentionLanes(v)) != 0;
}

// Copies a text of 1 to 16 bytes that needs no escaping with two overlapping loads and stores
// (the same bytes read twice where they overlap); returns false, writing nothing, otherwise. Most
// strings of an event are this short (names, versions, language, region), and their lengths
// vary from event to event, so a loop per string mispredicted its exit on varied input. Both
// halves are checked at once: 8-byte halves in one SSE2 register, 4-byte halves in one word.
inline bool copyShortClean(const unsigned char* s, size_t n, char* p) {
  if (n >= 8) {
    uint64_t head, tail;
    std::memcpy(&head, s, 8);
    std::memcpy(&tail, s + n - 8, 8);
    const __m128i both = _mm_unpacklo_epi64(_mm_cvtsi64_si128(static_cast<int64_t>(head)),
                                            _mm_cvtsi64_si128(static_cast<int64_t>(tail)));
    if (needsAttention16(both)) return false;
    std::memcpy(p, &head, 8);
    std::memcpy(p + n - 8, &tail, 8);
    return true;
  }
  if (n >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, s, 4);
    std::memcpy(&tail, s + n - 4, 4);
    if (needsAttention(head | static_cast<uint64_t>(tail) << 32)) return false;
    std::memcpy(p, &head, 4);
    std::memcpy(p + n - 4, &tail, 4);
    return true;
  }
  // 1 to 3 bytes: the first, middle and last byte cover them all.
  const unsigned char a = s[0], b = s[n / 2], c = s[n - 1];
  if ((kClass[a] | kClass[b] | kClass[c]) != 0) return false;
  p[0] = static_cast<char>(a);
  p[n / 2] = static_cast<char>(b);
  p[n - 1] = static_cast<char>(c);
  return true;
}

}  // namespace detail

// Worst case of one string: every byte may become \u00XX, plus the quotes.
constexpr size_t stringBound(size_t n) {
  return 6 * n + 2;
}

// The quoted, escaped text at p; returns the end.
char* escapedString(char* p, std::string_view text);
// ISO 8601 UTC with milliseconds, "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 bytes), at p; returns the end.
char* isoTime(char* p, std::chrono::system_clock::time_point t);

// A write position in a Writer's region, and the pieces of JSON written at it. A plain value on
// purpose: the functions writing an event take and return it by value, so the position lives in
// a register. Held in memory (a Writer passed by reference), it was loaded and stored again
// around every piece, because a char store may alias it: ~240 instructions of an event.
class Cursor {
 public:
  explicit Cursor(char* p) : p_(p) {}

  char* pos() const { return p_; }
  void rewind(char* to) { p_ = to; }
  void ch(char c) { *p_++ = c; }
  void raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  // Strings of 1 to 16 bytes that need no escaping (most of an event's: names, versions,
  // language, region) are copied here, inline in the caller; the rest, and every byte that needs
  // escaping or UTF-8 repair, out of line. A call per string cost more than the copy.
  void string(std::string_view s) {
    const size_t n = s.size();
    const auto* bytes = reinterpret_cast<const unsigned char*>(s.data());
    if (n - 1 < 16 && detail::copyShortClean(bytes, n, p_ + 1)) {  // n - 1 wraps for 0
      p_[0] = '"';
      p_[n + 1] = '"';
      p_ += n + 2;
      return;
    }
    p_ = escapedString(p_, s);
  }
  void integer(int64_t v) { p_ = std::to_chars(p_, p_ + 24, v).ptr; }
  // NaN and infinities cannot be written in JSON: returns false, writes nothing.
  bool number(double v) {
    if (!std::isfinite(v)) return false;
    p_ = std::to_chars(p_, p_ + 32, v).ptr;
    return true;
  }
  void boolean(bool v) { raw(v ? std::string_view("true") : std::string_view("false")); }
  void time(std::chrono::system_clock::time_point t) { p_ = isoTime(p_, t); }
  void ip(const IpAddress& a) {
    *p_ = '"';
    p_ = a.format(p_ + 1);  // digits, hex digits, dots and colons only: nothing to escape
    *p_++ = '"';
  }

  // An object member whose value is written next, its comma included (`,"name":`): an object's
  // first comma becomes its '{' when the object closes (event_json.cc's NestedObject), so no
  // member has to ask whether it is the first one.
  void key(std::string_view commaQuotedKeyColon) { raw(commaQuotedKeyColon); }
  // Text: std::string or a FixedText.
  template <typename Text>
  void optString(std::string_view commaQuotedKeyColon, const std::optional<Text>& v) {
    if (!v) return;
    key(commaQuotedKeyColon);
    string(*v);
  }

 private:
  char* p_;
};

// A per-thread scratch region of `bound` bytes to write JSON into through a Cursor, appended to
// `out` by finish(): growing `out` by the bound up front would zero-fill the whole worst case
// (kilobytes) for the few hundred bytes an event takes. Writing more than `bound` bytes traps.
class Writer {
 public:
  Writer(std::string& out, size_t bound)
      : out_(out), begin_(scratch(bound)), end_(begin_ + bound) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Cursor start() const { return Cursor(begin_); }
  // Appends what was written up to `end` to the output.
  void finish(Cursor end) {
    // Callers size the bound from the worst case; overrunning it would corrupt memory, so a
    // broken bound stops the process instead (one compare per event).
    if (end.pos() > end_) __builtin_trap();
    out_.append(begin_, static_cast<size_t>(end.pos() - begin_));
  }

 private:
  // At least `bound` bytes, reused by every Writer on this thread (one Writer at a time).
  static char* scratch(size_t bound);

  std::string& out_;
  char* begin_;
  char* end_;
};

}  // namespace consentry::events::json
