#include "filters/scrub/percent.h"

#include "base/byte_scan.h"

namespace consentry::filters::scrub {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '[' || c == ']';
}

}  // namespace

bool needsDecoding(std::string_view text, bool plusIsSpace) {
  // Jumps from marker to marker: most components have none, and this runs per path segment,
  // query name and value of every path and referrer.
  const char plus = plusIsSpace ? '+' : '%';
  for (size_t i = findEitherByte(text, 0, '%', plus); i < text.size();
       i = findEitherByte(text, i + 1, '%', plus)) {
    if (text[i] == '+') return true;
    if (i + 2 < text.size() && hexValue(text[i + 1]) >= 0 && hexValue(text[i + 2]) >= 0) {
      return true;
    }
  }
  return false;
}

void percentDecode(std::string_view text, bool plusIsSpace, std::string& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int hi = hexValue(text[i + 1]);
      const int lo = hexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(c == '+' && plusIsSpace ? ' ' : c);
  }
}

void percentEncode(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : text) {
    if (isUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[b >> 4]);
      out.push_back(kHex[b & 0xf]);
    }
  }
}

}  // namespace consentry::filters::scrub
