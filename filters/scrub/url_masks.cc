#include "filters/scrub/url_masks.h"

#include <emmintrin.h>

#include <array>
#include <cstring>
#include <utility>

#include "filters/scrub/char_class.h"
#include "filters/scrub/char_lanes.h"

namespace consentry::filters::scrub {

using namespace url_masks;

// The class of each byte for short URLs (the classes are disjoint), kKinds for none.
constexpr std::array<uint8_t, 256> kByteKind = [] {
  std::array<uint8_t, 256> t{};
  t.fill(kKinds);
  for (int c = '0'; c <= '9'; ++c) t[static_cast<size_t>(c)] = kDigit;
  const std::pair<char, Kind> marks[] = {{'/', kSlash},   {'?', kQuestion}, {'#', kHash},
                                         {'&', kPairEnd}, {';', kPairEnd},  {'=', kEquals},
                                         {'%', kPercent}, {'+', kPlus},     {'.', kDot},
                                         {':', kColon},   {'@', kAt}};
  for (const auto& [c, kind] : marks) t[static_cast<uint8_t>(c)] = kind;
  return t;
}();

template <size_t Words>
void UrlMasks<Words>::build(std::string_view url) {
  url_ = url;
  size_ = url.size();
  const char* p = url.data();
  size_t w = 0;
  if (size_ < 16) {
    // Less than a block: byte by byte. Copying the bytes into a zeroed block for a vector load
    // stalled on the store-to-load forward.
    for (size_t k = 0; k < kFromBytes; ++k) bits_[k][0] = 0;
    for (size_t i = 0; i < size_; ++i) {
      const uint8_t kind = kByteKind[static_cast<uint8_t>(p[i])];
      if (kind != kKinds) bits_[kind][0] |= uint64_t{1} << i;
    }
    w = 1;
  } else {
    for (; (w + 1) * 64 <= size_; ++w) addWord<4>(p + w * 64, p + w * 64 + 48, 0, w);
    if (const size_t left = size_ - w * 64; left > 0) {
      // The last block is the URL's last 16 bytes, without the lanes of the block before it.
      const char* last = p + size_ - 16;
      const size_t blocks = (left + 15) / 16;
      const auto drop = static_cast<unsigned>(blocks * 16 - left);
      switch (blocks) {
        case 1:
          addWord<1>(p + w * 64, last, drop, w);
          break;
        case 2:
          addWord<2>(p + w * 64, last, drop, w);
          break;
        case 3:
          addWord<3>(p + w * 64, last, drop, w);
          break;
        default:
          addWord<4>(p + w * 64, last, drop, w);
          break;
      }
      ++w;
    }
  }
  for (; w < Words; ++w) {
    for (size_t k = 0; k < kFromBytes; ++k) bits_[k][w] = 0;
  }
  derive();
}

template <size_t Words>
template <int Blocks>
void UrlMasks<Words>::addWord(const char* first, const char* last, unsigned drop, size_t w) {
  __m128i v[Blocks], digit[Blocks];
  for (int b = 0; b < Blocks; ++b) {
    const char* at = b + 1 < Blocks ? first + size_t{16} * static_cast<size_t>(b) : last;
    std::memcpy(&v[b], at, sizeof v[b]);
    digit[b] = digitLanes(v[b]);
  }
  // One class: the lanes of each block side by side, 16 bits per block (the last block's first
  // `drop` lanes were in the block before).
  auto put = [&](Kind k, auto lanesOf) {
    uint64_t m = 0;
    for (int b = 0; b < Blocks; ++b) {
      uint64_t lanes = static_cast<uint16_t>(_mm_movemask_epi8(lanesOf(b)));
      if (b + 1 == Blocks) lanes >>= drop;
      m |= lanes << (16 * b);
    }
    bits_[k][w] = m;
  };
  put(kSlash, [&](int b) { return byteLanes(v[b], '/'); });
  put(kQuestion, [&](int b) { return byteLanes(v[b], '?'); });
  put(kHash, [&](int b) { return byteLanes(v[b], '#'); });
  put(kPairEnd, [&](int b) { return _mm_or_si128(byteLanes(v[b], '&'), byteLanes(v[b], ';')); });
  put(kEquals, [&](int b) { return byteLanes(v[b], '='); });
  put(kPercent, [&](int b) { return byteLanes(v[b], '%'); });
  put(kPlus, [&](int b) { return byteLanes(v[b], '+'); });
  put(kDigit, [&](int b) { return digit[b]; });
  put(kDot, [&](int b) { return byteLanes(v[b], '.'); });
  put(kColon, [&](int b) { return byteLanes(v[b], ':'); });
  put(kAt, [&](int b) { return byteLanes(v[b], '@'); });
}

template <size_t Words>
void UrlMasks<Words>::derive() {
  // A head may start in the word before its digits.
  for (size_t w = 0; w < Words; ++w) bits_[kIbanHead][w] = 0;
  for (size_t w = 0; w < Words; ++w) {
    uint64_t escapes = 0, headers = 0;
    for (uint64_t pct = bits_[kPercent][w]; pct != 0; pct &= pct - 1) {
      const size_t at = w * 64 + static_cast<size_t>(std::countr_zero(pct));
      if (at + 2 < size_ && isHex(url_[at + 1]) && isHex(url_[at + 2])) escapes |= pct & -pct;
    }
    // An IBAN head's digits start a run of digits (a digit before them is no letter).
    const uint64_t digits = bits_[kDigit][w];
    for (uint64_t pair = digits & above(kDigit, w, 1) & ~below(bits_[kDigit], w, 1); pair != 0;
         pair &= pair - 1) {
      const size_t at = w * 64 + static_cast<size_t>(std::countr_zero(pair));
      if (at >= 2 && isAlpha(url_[at - 1]) && isAlpha(url_[at - 2])) {
        bits_[kIbanHead][(at - 2) / 64] |= uint64_t{1} << ((at - 2) % 64);
      }
    }
    for (uint64_t dots = bits_[kDot][w]; dots != 0; dots &= dots - 1) {
      const size_t at = w * 64 + static_cast<size_t>(std::countr_zero(dots));
      if (at >= 16 && base64urlBlock(url_.data() + at - 16)) headers |= dots & -dots;
    }
    bits_[kEscape][w] = escapes;
    bits_[kJwtDot][w] = headers;
  }
}

template class UrlMasks<1>;
template class UrlMasks<2>;
template class UrlMasks<4>;

}  // namespace consentry::filters::scrub
