#pragma once
// Zero-copy reading of `Cookie:` request headers and the one-time percent-decoding of consent
// cookie values (SPEC §2).

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/http_header.h"

namespace consentry::filters::consent {

/// One `name=value` pair of a Cookie header; both views point into the header value. A value in
/// double quotes is returned without the quotes.
struct CookiePair {
  std::string_view name;
  std::string_view value;
};

/// Iterates the pairs of one Cookie header value: `; ` separated, tolerating missing or extra
/// spaces, empty pairs and pairs without `=` (those are skipped).
class CookieIterator {
 public:
  explicit CookieIterator(std::string_view header) : rest_(header) {}
  /// The next pair, or nullopt at the end.
  std::optional<CookiePair> next();

 private:
  std::string_view rest_;
};

/// The value of the first cookie called `name` (case-sensitive) in any of the `Cookie` headers
/// among `headers` (header names compared case-insensitively). No allocation.
std::optional<std::string_view> findCookie(std::span<const HeaderField> headers,
                                           std::string_view name);

/// The same over a single Cookie header value.
std::optional<std::string_view> findCookieIn(std::string_view cookieHeader, std::string_view name);

/// Percent-decodes `in` once (`%XX`; a `%` not followed by two hex digits is kept literally;
/// `+` is left as is because cookies are not form-encoded).
std::string percentDecode(std::string_view in);
/// The same into `out` (replacing its contents), so a reused string decodes without allocating.
void percentDecodeInto(std::string_view in, std::string& out);
/// The same into `out`, which has room for in.size() bytes; returns the decoded length.
size_t percentDecodeTo(std::string_view in, char* out);

/// The byte the escape `%XX` at `in[i]` (a '%') stands for, or -1 when it starts no escape
/// (SPEC §2: a '%' not followed by two hex digits is kept literally). Inline: the parsers that
/// read a value still encoded ask for each '%' they meet.
inline int escapeAt(std::string_view in, size_t i) {
  if (i + 2 >= in.size()) return -1;
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const int hi = hex(in[i + 1]);
  const int lo = hex(in[i + 2]);
  return hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
}

/// True when `in` contains a `%XX` escape, i.e. percentDecode would change it.
bool needsPercentDecode(std::string_view in);

}  // namespace consentry::filters::consent
