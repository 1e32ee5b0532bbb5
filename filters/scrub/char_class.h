#pragma once
// ASCII character classes shared by the detectors (locale-free, unlike <cctype>).

namespace consentry::filters::scrub {

constexpr bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}
constexpr bool isLower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool isAlpha(char c) {
  return isUpper(c) || isLower(c);
}
constexpr bool isAlnum(char c) {
  return isAlpha(c) || isDigit(c);
}
constexpr bool isHex(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char toUpper(char c) {
  return isLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}
constexpr char toLower(char c) {
  return isUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace consentry::filters::scrub
