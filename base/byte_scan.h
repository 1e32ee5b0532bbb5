#pragma once
// Finding one of two marker bytes in short text, 16 bytes per step (SSE2, part of the x86-64
// baseline). Inline on purpose: the event path looks for '%' (and '+') in cookie values and URL
// components of 10-200 bytes, where a memchr call per marker cost more than the scan.

#include <emmintrin.h>

#include <cstddef>
#include <cstring>
#include <string_view>

namespace consentry {

// The position of the first `a` or `b` at or after `from`, or text.size() when there is none.
// Pass the same byte twice to look for one.
inline size_t findEitherByte(std::string_view text, size_t from, char a, char b) {
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  for (; from + 16 <= text.size(); from += 16) {
    __m128i v;
    std::memcpy(&v, text.data() + from, sizeof v);
    const __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit));
    if (mask != 0) return from + static_cast<size_t>(__builtin_ctz(mask));
  }
  for (; from < text.size(); ++from) {
    if (text[from] == a || text[from] == b) return from;
  }
  return text.size();
}

}  // namespace consentry
