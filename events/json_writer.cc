#include "events/json_writer.h"

#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>

namespace consentry::events::json {
namespace {

using detail::kClass;
using detail::needsAttention;
using detail::needsAttention16;

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct Utf8Step {
  size_t length;  // bytes consumed
  bool valid;
};

// Well-formed sequences per Unicode Table 3-7; an ill-formed one consumes its maximal subpart
// (the lead byte and every continuation byte that could still have been valid), so each maximal
// subpart becomes one U+FFFD, the replacement practice Unicode and WHATWG recommend.
Utf8Step stepUtf8(const unsigned char* s, size_t avail) {
  unsigned char c = s[0];
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    need = 2;
  } else if (c == 0xED) {
    need = 2;
    hi = 0x9F;  // no UTF-16 surrogates
  } else if (c == 0xF0) {
    need = 3;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3;
    hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (k >= avail || s[k] < lo || s[k] > hi) return {k, false};
    lo = 0x80;
    hi = 0xBF;
  }
  return {need + 1, true};
}

// Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras of 146097 days counted
// from 0000-03-01 so that the leap day falls at the end of each year.
void civilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

char* Writer::scratch(size_t bound) {
  thread_local std::unique_ptr<char[]> buffer;
  thread_local size_t capacity = 0;
  if (bound > capacity) {
    capacity = std::max(bound, 2 * capacity);
    buffer = std::make_unique_for_overwrite<char[]>(capacity);
  }
  return buffer.get();
}

char* escapedString(char* p, std::string_view text) {
  // A local cursor: stores through char* may alias p_, which would otherwise be reloaded from
  // memory after every byte.
  *p++ = '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size(), i = 0;
  if (n - 16 <= 32) {
    // 16 to 48 bytes (event and visitor ids, many paths): three overlapping 16-byte blocks at
    // the start, the middle and the end, checked together, so no loop exit depends on the length.
    const size_t mid = (n - 16) / 2;
    __m128i a, b, c;
    std::memcpy(&a, s, sizeof a);
    std::memcpy(&b, s + mid, sizeof b);
    std::memcpy(&c, s + n - 16, sizeof c);
    const __m128i hit =
        _mm_or_si128(detail::attentionLanes(a),
                     _mm_or_si128(detail::attentionLanes(b), detail::attentionLanes(c)));
    if (_mm_movemask_epi8(hit) == 0) {
      std::memcpy(p, &a, sizeof a);
      std::memcpy(p + mid, &b, sizeof b);
      std::memcpy(p + n - 16, &c, sizeof c);
      p[n] = '"';
      return p + n + 1;
    }
  }
  if (n >= 16) {
    // Text of 16 bytes or more that needs no escaping (ids, most paths and referrers) in 16-byte
    // steps, the last one overlapping the step before instead of a loop over the tail. Until the
    // first byte that needs attention, output and input offsets are equal.
    for (;;) {
      const size_t at = i + 16 <= n ? i : n - 16;
      __m128i v;
      std::memcpy(&v, s + at, sizeof v);
      if (needsAttention16(v)) break;
      std::memcpy(p + at, &v, sizeof v);
      i = at + 16;
      if (i == n) {
        p[n] = '"';
        return p + n + 1;
      }
    }
    p += i;
  }
  bool triedLastChunk = false;
  while (i < n) {
    if (n - i >= 16) {
      // 16 bytes per step (SSE2): ids, paths and referrers are 30-100 bytes.
      __m128i v;
      std::memcpy(&v, s + i, sizeof v);
      if (!needsAttention16(v)) {
        std::memcpy(p, &v, sizeof v);
        p += 16;
        i += 16;
        continue;
      }
    }
    if (n - i >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if (!needsAttention(chunk)) {
        std::memcpy(p, &chunk, 8);
        p += 8;
        i += 8;
        continue;
      }
    } else if (n >= 8 && !triedLastChunk) {
      // Fewer than 8 bytes left: the last 8 bytes of the text in one go when all are clean. The
      // ones before i were then copied unchanged too, so rewriting them writes the same bytes
      // (instead of a byte loop whose exit depends on the length).
      triedLastChunk = true;
      uint64_t chunk;
      std::memcpy(&chunk, s + n - 8, 8);
      if (!needsAttention(chunk)) {
        std::memcpy(p - (i - (n - 8)), &chunk, 8);
        p += n - i;
        break;
      }
    }
    unsigned char c = s[i];
    uint8_t cls = kClass[c];
    if (cls == 0) {
      *p++ = static_cast<char>(c);
      ++i;
    } else if (cls == 1) {
      static constexpr char kHex[] = "0123456789abcdef";
      static constexpr char kShort[] = "\0\0\0\0\0\0\0\0btn\0fr";
      *p++ = '\\';
      if (c == '"' || c == '\\') {
        *p++ = static_cast<char>(c);
      } else if (c >= '\b' && c <= '\r' && c != 0x0b) {
        *p++ = kShort[c];
      } else {
        p[0] = 'u';
        p[1] = '0';
        p[2] = '0';
        p[3] = kHex[c >> 4];
        p[4] = kHex[c & 15];
        p += 5;
      }
      ++i;
    } else {
      Utf8Step step = stepUtf8(s + i, n - i);
      if (step.valid) {
        std::memcpy(p, s + i, step.length);
        p += step.length;
      } else {
        std::memcpy(p, kReplacement.data(), kReplacement.size());
        p += kReplacement.size();
      }
      i += step.length;
    }
  }
  *p++ = '"';
  return p;
}

namespace {

// "YYYY-MM-DDTHH:MM:SS." of the second `second` (counted from the epoch) at `out`.
void formatSecond(int64_t second, char* out) {
  int64_t days = second >= 0 ? second / 86'400 : (second - 86'399) / 86'400;
  auto secOfDay = static_cast<unsigned>(second - days * 86'400);
  // Events of one day share "YYYY-MM-DDT": the calendar arithmetic runs once per day per thread.
  thread_local int64_t cachedDays = INT64_MIN;
  thread_local char cachedDate[11];
  if (days != cachedDays) {
    int64_t year;
    unsigned month, day;
    civilFromDays(days, year, month, day);
    if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;  // ISO 8601 basic range only
    auto y = static_cast<unsigned>(year);
    put2(cachedDate, y / 100);
    put2(cachedDate + 2, y % 100);
    cachedDate[4] = '-';
    put2(cachedDate + 5, month);
    cachedDate[7] = '-';
    put2(cachedDate + 8, day);
    cachedDate[10] = 'T';
    cachedDays = days;
  }
  std::memcpy(out, cachedDate, sizeof cachedDate);
  put2(out + 11, secOfDay / 3600);
  out[13] = ':';
  put2(out + 14, secOfDay / 60 % 60);
  out[16] = ':';
  put2(out + 17, secOfDay % 60);
  out[19] = '.';
}

}  // namespace

char* isoTime(char* b, std::chrono::system_clock::time_point time) {
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  auto milli = static_cast<unsigned>(ms - second * 1000);
  // Events of one thread arrive many to a second under load, so all but the milliseconds is
  // reused from the previous event of this thread when it was in the same second (its own
  // second, whatever clock the caller read).
  thread_local int64_t cachedSecond = INT64_MIN;  // no time_point's second is INT64_MIN
  thread_local char cachedPrefix[20];
  if (second != cachedSecond) {
    formatSecond(second, cachedPrefix);
    cachedSecond = second;
  }
  std::memcpy(b, cachedPrefix, sizeof cachedPrefix);
  b[20] = static_cast<char>('0' + milli / 100);
  put2(b + 21, milli % 100);
  b[23] = 'Z';
  return b + 24;
}

}  // namespace consentry::events::json
