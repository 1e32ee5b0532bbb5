#include "filters/consent/cookie_header.h"

#include <emmintrin.h>

#include <cstring>

#include "base/byte_scan.h"
#include "base/hex.h"

namespace consentry::filters::consent {

std::optional<std::string_view> findCookieIn(std::string_view cookieHeader, std::string_view name) {
  CookieIterator it(cookieHeader);
  while (auto pair = it.next()) {
    if (pair->name == name) return pair->value;
  }
  return std::nullopt;
}

std::optional<std::string_view> findCookie(std::span<const HeaderField> headers,
                                           std::string_view name) {
  for (const HeaderField& h : headers) {
    if (!equalsIgnoreCase(h.name, "cookie")) continue;
    if (auto v = findCookieIn(h.value, name)) return v;
  }
  return std::nullopt;
}

namespace {

size_t findPercent(std::string_view in, size_t from) {
  return findEitherByte(in, from, '%', '%');
}

}  // namespace

bool needsPercentDecode(std::string_view in) {
  for (size_t i = findPercent(in, 0); i < in.size(); i = findPercent(in, i + 1)) {
    if (hex::escapeAt(in, i) >= 0) return true;
  }
  return false;
}

size_t percentDecodeTo(std::string_view in, char* out) {
  // The output never runs ahead of the input (an escape shrinks), so whole 16-byte blocks can be
  // stored while the input has 16 bytes left, and advanced over only up to the next '%'.
  char* p = out;
  const __m128i percent = _mm_set1_epi8('%');
  size_t i = 0;
  while (i < in.size()) {
    if (i + 16 <= in.size()) {
      __m128i v;
      std::memcpy(&v, in.data() + i, sizeof v);
      std::memcpy(p, &v, sizeof v);
      const auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, percent)));
      if (mask == 0) {
        p += 16;
        i += 16;
        continue;
      }
      const auto clean = static_cast<size_t>(__builtin_ctz(mask));
      p += clean;
      i += clean;
    } else if (in[i] != '%') {
      *p++ = in[i++];
      continue;
    }
    // in[i] == '%'
    if (const int byte = hex::escapeAt(in, i); byte >= 0) {
      *p++ = static_cast<char>(byte);
      i += 3;
    } else {
      *p++ = '%';
      ++i;
    }
  }
  return static_cast<size_t>(p - out);
}

void percentDecodeInto(std::string_view in, std::string& out) {
  // Written through a pointer into a string sized for the worst case (nothing decoded), then
  // trimmed: a push_back per byte was most of the cost of a consent cookie's first sight.
  out.resize(in.size());
  out.resize(percentDecodeTo(in, out.data()));
}

std::string percentDecode(std::string_view in) {
  std::string out;
  percentDecodeInto(in, out);
  return out;
}

}  // namespace consentry::filters::consent
