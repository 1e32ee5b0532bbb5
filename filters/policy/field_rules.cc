#include "filters/policy/field_rules.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace consentry::filters::policy {
namespace {

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// How the authority scan treats each byte (0: part of the host, nothing to note).
constexpr uint8_t kEndsAuthority = 1, kAt = 2, kUpper = 3;
constexpr std::array<uint8_t, 256> kAuthorityClass = [] {
  std::array<uint8_t, 256> t{};
  t['/'] = t['?'] = t['#'] = kEndsAuthority;
  t['@'] = kAt;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<size_t>(c)] = kUpper;
  return t;
}();

int bucket(int px) {
  if (px <= 0) return 0;
  return px - px % kScreenBucketPx;
}

}  // namespace

// Plain loops rather than find_first_of: that calls memchr over the set once per byte of the
// text, and these run several times per event.
bool reduceToMajorVersion(std::string& version) {
  size_t end = 0;
  while (end < version.size() && version[end] != '.' && version[end] != '_' &&
         version[end] != ' ' && version[end] != '-') {
    ++end;
  }
  version.resize(end);
  return !version.empty();
}

bool reduceToPrimaryLanguage(std::string& tag) {
  size_t end = 0;
  while (end < tag.size() && tag[end] != '-' && tag[end] != '_') ++end;
  tag.resize(end);
  if (tag.size() < 2 || tag.size() > 8) return false;
  for (char& c : tag) {
    if (!isLetter(c)) return false;
    c = lower(c);
  }
  return true;
}

bool reduceToOrigin(std::string& url) {
  // Through a local pointer: with url[i] the compiler reloaded the string's data pointer after
  // every byte stored (a char store may alias it). The usual referrer needs neither the
  // lower-casing nor the move (no upper case, no credentials): both are skipped then, and the
  // authority is scanned with one table lookup per byte instead of four compares. A 31-byte
  // referrer went from ~33 to ~10 ns; this runs on every pageview of a region keeping origins.
  char* const d = url.data();
  const size_t size = url.size();
  bool upper = false;
  // The scheme: a letter, then letters, digits, '+', '-' or '.', up to "://".
  size_t sep = 0;
  while (sep < size && d[sep] != ':') {
    const char c = d[sep];
    const bool ok =
        isLetter(c) || (sep > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
    upper |= isUpper(c);
    ++sep;
  }
  if (sep == 0 || size - sep < 3 || d[sep + 1] != '/' || d[sep + 2] != '/') return false;
  const size_t authority = sep + 3;
  size_t hostStart = authority;
  size_t hostEnd = authority;
  // Credentials in the authority never survive an origin reduction: the host starts after the
  // last '@' before the end of the authority.
  for (; hostEnd < size; ++hostEnd) {
    const uint8_t cls = kAuthorityClass[static_cast<uint8_t>(d[hostEnd])];
    if (cls == 0) continue;  // one test for the common byte
    if (cls == kEndsAuthority) break;
    if (cls == kAt) hostStart = hostEnd + 1;
    upper |= cls == kUpper;
  }
  if (hostStart >= hostEnd) return false;
  const size_t hostLength = hostEnd - hostStart;
  if (hostStart != authority) std::memmove(d + authority, d + hostStart, hostLength);
  url.resize(authority + hostLength);
  // Upper case seen in the credentials only lower-cases a host that has none: harmless.
  if (upper) {
    for (char& c : url) c = lower(c);
  }
  return true;
}

void bucketScreen(events::Screen& screen) {
  screen.width = bucket(screen.width);
  screen.height = bucket(screen.height);
  const double dpr = std::isfinite(screen.dpr) ? std::round(screen.dpr) : 1.0;
  screen.dpr = dpr < 1.0 ? 1.0 : (dpr > 8.0 ? 8.0 : dpr);
}

void bucketViewport(events::Viewport& viewport) {
  viewport.width = bucket(viewport.width);
  viewport.height = bucket(viewport.height);
}

}  // namespace consentry::filters::policy
