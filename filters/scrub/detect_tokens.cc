// JSON Web Tokens and IPv4/IPv6 addresses.
#include <string_view>

#include "base/ip_address.h"
#include "filters/scrub/char_class.h"
#include "filters/scrub/pii_detectors.h"

namespace consentry::filters::scrub {
namespace {

bool isB64Url(char c) {
  return isAlnum(c) || c == '-' || c == '_';
}

int b64Value(char c) {
  if (isUpper(c)) return c - 'A';
  if (isLower(c)) return c - 'a' + 26;
  if (isDigit(c)) return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

size_t runEnd(std::string_view t, size_t p) {
  while (p < t.size() && isB64Url(t[p])) ++p;
  return p;
}

// A JOSE header: decodes (base64url, no padding) to a JSON object that has an "alg" member.
// Only the first 768 encoded characters are looked at; real headers are far shorter.
bool isJoseHeader(std::string_view encoded) {
  if (encoded.size() < 16) return false;
  char json[576];
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  const size_t limit = encoded.size() < 768 ? encoded.size() : 768;
  for (size_t i = 0; i < limit; ++i) {
    acc = (acc << 6) | static_cast<uint32_t>(b64Value(encoded[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      json[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  const std::string_view s(json, n);
  const size_t open = s.find_first_not_of(" \t\r\n");
  return open != std::string_view::npos && s[open] == '{' &&
         s.find("\"alg\"") != std::string_view::npos;
}

bool ipv4At(std::string_view t, size_t p, size_t& end) {
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p >= t.size() || t[p] != '.') return false;
      ++p;
    }
    int value = 0, digits = 0;
    while (p < t.size() && isDigit(t[p]) && digits < 4) {
      value = value * 10 + (t[p] - '0');
      ++digits;
      ++p;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
  }
  end = p;
  return true;
}

}  // namespace

// header.payload.signature (JWS) or the five parts of a JWE; the signature may be empty
// ("alg":"none"). The header check keeps dotted identifiers like "com.example.app" out.
bool findJwt(std::string_view t, size_t from, Span& match) {
  for (size_t i = t.find('.', from); i != std::string_view::npos; i = t.find('.', i + 1)) {
    size_t start = i;
    while (start > from && isB64Url(t[start - 1])) --start;
    if (start > 0 && (t[start - 1] == '.' || isB64Url(t[start - 1]))) continue;
    if (i - start < 16) continue;
    size_t parts = 1;
    size_t p = i;
    while (p < t.size() && t[p] == '.' && parts < 5) {
      const size_t next = runEnd(t, p + 1);
      ++parts;
      p = next;
    }
    if (p < t.size() && t[p] == '.') continue;  // more than five parts
    if (parts != 3 && parts != 5) continue;
    if (!isJoseHeader(t.substr(start, i - start))) continue;
    match = {start, p};
    return true;
  }
  return false;
}

// Dotted-quad IPv4 (each octet 0-255) not embedded in a longer dotted number or word, and
// IPv6 in any RFC 4291 text form (validated by the same parser the proxy uses).
bool findIpAddress(std::string_view t, size_t from, Span& match) {
  for (size_t i = from; i < t.size(); ++i) {
    const char c = t[i];
    if (!isHex(c) && c != ':') continue;
    const char prev = i > 0 ? t[i - 1] : ' ';
    if (isAlnum(prev) || prev == '.' || prev == ':' || prev == '_' || prev == '-') continue;

    if (isDigit(c)) {
      size_t end = 0;
      if (ipv4At(t, i, end)) {
        const bool dottedTail = end + 1 < t.size() && t[end] == '.' && isDigit(t[end + 1]);
        if (!dottedTail && (end == t.size() || !isAlnum(t[end]))) {
          match = {i, end};
          return true;
        }
      }
    }

    size_t end = i;
    int colons = 0, hexDigits = 0;
    while (end < t.size() && (isHex(t[end]) || t[end] == ':' || t[end] == '.')) {
      colons += t[end] == ':';
      hexDigits += isHex(t[end]);
      ++end;
    }
    if (colons < 2 || end - i > 45) continue;
    if (end < t.size() && (isAlnum(t[end]) || t[end] == '_')) continue;
    // Trailing sentence punctuation is not part of the address.
    size_t stop = end;
    while (stop > i && t[stop - 1] == '.') --stop;
    const std::string_view candidate = t.substr(i, stop - i);
    if (hexDigits < 3 && candidate != "::1") continue;
    if (IpAddress::parse(candidate)) {
      match = {i, stop};
      return true;
    }
  }
  return false;
}

}  // namespace consentry::filters::scrub
