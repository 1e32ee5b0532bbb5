#include "filters/consent/cookie_header.h"

namespace consentry::filters::consent {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<CookiePair> CookieIterator::next() {
  while (!rest_.empty()) {
    size_t end = rest_.find(';');
    std::string_view item = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view{} : rest_.substr(end + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = trim(item.substr(0, eq));
    if (name.empty()) continue;
    std::string_view value = trim(item.substr(eq + 1));
    // RFC 6265 allows a DQUOTE-wrapped value; the quotes are not part of the value.
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return CookiePair{name, value};
  }
  return std::nullopt;
}

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

bool needsPercentDecode(std::string_view in) {
  for (size_t i = 0; i + 2 < in.size(); ++i) {
    if (in[i] == '%' && hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) return true;
  }
  return false;
}

void percentDecodeInto(std::string_view in, std::string& out) {
  // Written through a pointer into a string sized for the worst case (nothing decoded), then
  // trimmed: a push_back per byte was most of the cost of a consent cookie's first sight.
  out.resize(in.size());
  char* p = out.data();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = hexValue(in[i + 1]);
      int lo = hexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        *p++ = static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    *p++ = in[i];
  }
  out.resize(static_cast<size_t>(p - out.data()));
}

std::string percentDecode(std::string_view in) {
  std::string out;
  percentDecodeInto(in, out);
  return out;
}

}  // namespace consentry::filters::consent
