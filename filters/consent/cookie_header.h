#pragma once
// Zero-copy reading of `Cookie:` request headers and the one-time percent-decoding of consent
// cookie values (SPEC §2).

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/byte_scan.h"
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

namespace detail {
inline std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace detail

// Inline: the jar splits every request's cookies with it, and the call returning an optional
// pair through memory cost about as much as the split of a short cookie.
inline std::optional<CookiePair> CookieIterator::next() {
  while (!rest_.empty()) {
    // Inline scans for the '=' and the ';' ending the pair: two memchr calls per cookie were
    // 3-4 % of the varied event path (names and values are 5-200 bytes). Views are cut by
    // pointer, not substr(): every bound is known to hold.
    const char* p = rest_.data();
    const size_t n = rest_.size();
    const size_t first = findEitherByte(rest_, 0, ';', '=');
    if (first == n || p[first] == ';') {  // no '=': skipped
      rest_ = first == n ? std::string_view{} : std::string_view(p + first + 1, n - first - 1);
      continue;
    }
    const size_t end = findEitherByte(rest_, first + 1, ';', ';');
    rest_ = end == n ? std::string_view{} : std::string_view(p + end + 1, n - end - 1);
    std::string_view name = detail::trimSpaces(std::string_view(p, first));
    if (name.empty()) continue;
    std::string_view value = detail::trimSpaces(std::string_view(p + first + 1, end - first - 1));
    // RFC 6265 allows a DQUOTE-wrapped value; the quotes are not part of the value.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return CookiePair{name, value};
  }
  return std::nullopt;
}

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

/// True when `in` contains a `%XX` escape, i.e. percentDecode would change it.
bool needsPercentDecode(std::string_view in);

}  // namespace consentry::filters::consent
