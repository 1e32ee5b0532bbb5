#include "filters/policy/field_rules.h"

#include <cmath>
#include <cstring>

namespace consentry::filters::policy {
namespace {

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

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
  // every byte stored (a char store may alias it).
  char* const d = url.data();
  const size_t size = url.size();
  // The scheme: a letter, then letters, digits, '+', '-' or '.', up to "://".
  size_t sep = 0;
  while (sep < size && d[sep] != ':') {
    const char c = d[sep];
    const bool ok =
        isLetter(c) || (sep > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
    ++sep;
  }
  if (sep == 0 || size - sep < 3 || d[sep + 1] != '/' || d[sep + 2] != '/') return false;
  size_t hostStart = sep + 3;
  size_t hostEnd = hostStart;
  // Credentials in the authority never survive an origin reduction: the host starts after the
  // last '@' before the end of the authority.
  for (; hostEnd < size; ++hostEnd) {
    const char c = d[hostEnd];
    if (c == '/' || c == '?' || c == '#') break;
    if (c == '@') hostStart = hostEnd + 1;
  }
  if (hostStart >= hostEnd) return false;
  // In place: lower-case the scheme, then move the host down behind "://" and lower-case it.
  for (size_t i = 0; i < sep; ++i) d[i] = lower(d[i]);
  const size_t hostLength = hostEnd - hostStart;
  char* const host = d + sep + 3;
  std::memmove(host, d + hostStart, hostLength);
  for (size_t i = 0; i < hostLength; ++i) host[i] = lower(host[i]);
  url.resize(sep + 3 + hostLength);
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
