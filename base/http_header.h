#pragma once
// A header field as a pair of views into a buffer owned by someone else (the parser's input),
// shared by the HTTP codecs and the filters so neither has to copy.

#include <span>
#include <string_view>

namespace consentry {

struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// ASCII case-insensitive comparison for header names and tokens.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

// First value of `name`, or an empty view with found=false.
inline const HeaderField* findHeader(std::span<const HeaderField> headers, std::string_view name) {
  for (const auto& h : headers) {
    if (equalsIgnoreCase(h.name, name)) return &h;
  }
  return nullptr;
}

}  // namespace consentry
