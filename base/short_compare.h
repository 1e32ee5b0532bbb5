#pragma once
// Equality of short byte strings without a call to memcmp. The event path compares many short
// strings (cookie names, consent keys, category names, UA family "Other"); std::string_view's
// operator== calls memcmp out of line for each, even when one side is a literal, and those calls
// were ~6 % of the varied event path.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace consentry {

// `text` equals the literal `lit`: a length test, then a compare of a known length that the
// compiler expands inline.
template <size_t N>
inline bool equalsLiteral(std::string_view text, const char (&lit)[N]) {
  static_assert(N >= 1, "a string literal");
  return text.size() == N - 1 && std::memcmp(text.data(), lit, N - 1) == 0;
}

// a == b. Up to 16 bytes are compared as two overlapping words (the same bytes compared twice
// where they overlap); longer strings go to memcmp, which is faster there.
inline bool sameBytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  auto differ = [x, y](size_t at, auto word) {
    decltype(word) u, v;
    std::memcpy(&u, x + at, sizeof u);
    std::memcpy(&v, y + at, sizeof v);
    return u != v;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(x, y, n) == 0;
    return !differ(0, uint64_t{}) && !differ(n - 8, uint64_t{});
  }
  if (n >= 4) return !differ(0, uint32_t{}) && !differ(n - 4, uint32_t{});
  if (n == 0) return true;
  // 1 to 3 bytes: the first, middle and last byte cover them all.
  return x[0] == y[0] && x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1];
}

// equalsIgnoreCase(text, lower) for a lower-case literal (a header name), a word at a time: at
// the literal's letters the text's bytes get bit 0x20 OR-ed in, which turns the upper-case letter
// into the lower-case one and no other byte into it; every other byte must match exactly. The
// byte loop of equalsIgnoreCase was ~2 % of the varied event path for two names per header.
template <size_t N>
inline bool equalsLowerLiteral(std::string_view text, const char (&lower)[N]) {
  constexpr size_t n = N - 1;
  static_assert(n >= 1, "a string literal");
  if (text.size() != n) return false;
  const char* t = text.data();
  auto wordDiffers = [t, &lower](size_t at, auto word) {
    using Word = decltype(word);
    Word x, want, fold = 0;
    std::memcpy(&x, t + at, sizeof x);
    std::memcpy(&want, lower + at, sizeof want);
    for (size_t i = 0; i < sizeof(Word); ++i) {
      const char c = lower[at + i];
      if (c >= 'a' && c <= 'z') fold |= static_cast<Word>(Word{0x20} << (8 * i));
    }
    return (x | fold) != want;
  };
  if constexpr (n >= 8) {
    for (size_t at = 0; at + 8 <= n; at += 8) {
      if (wordDiffers(at, uint64_t{})) return false;
    }
    return n % 8 == 0 || !wordDiffers(n - 8, uint64_t{});
  } else if constexpr (n >= 4) {
    return !wordDiffers(0, uint32_t{}) && !wordDiffers(n - 4, uint32_t{});
  } else {
    for (size_t i = 0; i < n; ++i) {
      const char c = lower[i];
      const char b = (c >= 'a' && c <= 'z') ? static_cast<char>(t[i] | 0x20) : t[i];
      if (b != c) return false;
    }
    return true;
  }
}

}  // namespace consentry
