#pragma once
// SSE2 (part of the x86-64 baseline) class tests on 16 bytes at once, shared by the detectors'
// class counts and the URL masks.

#include <emmintrin.h>

#include <cstring>

namespace consentry::filters::scrub {

// All-ones in the lanes of v that hold an ASCII digit / letter. Signed compares: bytes >= 0x80
// are negative and fall outside both ranges; setting bit 5 folds A-Z onto a-z and maps no other
// byte into a-z.
inline __m128i digitLanes(__m128i v) {
  return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                       _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
}
inline __m128i letterLanes(__m128i v) {
  const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
  return _mm_and_si128(_mm_cmpgt_epi8(folded, _mm_set1_epi8('a' - 1)),
                       _mm_cmplt_epi8(folded, _mm_set1_epi8('z' + 1)));
}
// The lanes of `v` equal to `c`.
inline __m128i byteLanes(__m128i v, char c) {
  return _mm_cmpeq_epi8(v, _mm_set1_epi8(c));
}

// Whether the 16 bytes at `p` are all base64url characters (letters, digits, '-', '_'): the
// header a JWT needs before its first dot.
inline bool base64urlBlock(const char* p) {
  __m128i v;
  std::memcpy(&v, p, sizeof v);
  const __m128i token = _mm_or_si128(_mm_or_si128(digitLanes(v), letterLanes(v)),
                                     _mm_or_si128(byteLanes(v, '-'), byteLanes(v, '_')));
  return _mm_movemask_epi8(token) == 0xFFFF;
}

}  // namespace consentry::filters::scrub
