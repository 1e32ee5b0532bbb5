#pragma once
// Internal to proxy/http1: byte classes and the field-line scanner shared by the request parser,
// the response parser and the chunked trailer decoder, so that all three refuse the same bytes.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "base/http_header.h"
#include "proxy/http1/parser.h"

namespace consentry::http1::detail {

enum ByteClass : uint8_t {
  kTchar = 1,     // RFC 9110 token character
  kCtl = 2,       // control bytes that are never allowed (every C0 except HTAB, and DEL)
  kTarget = 4,    // visible ASCII, allowed in a request-target
  kHostChar = 8,  // reg-name / IP-literal / port characters
  kHex = 16,
};

constexpr std::array<uint8_t, 256> makeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    uint8_t v = 0;
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool digit = c >= '0' && c <= '9';
    if (alpha || digit ||
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
      v |= kTchar;
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f) v |= kCtl;
    if (c > 0x20 && c < 0x7f) v |= kTarget;
    if (alpha || digit ||
        std::string_view("-._~!$&'()*+,;=:[]%").find(static_cast<char>(c)) !=
            std::string_view::npos) {
      v |= kHostChar;
    }
    if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= kHex;
    t[static_cast<size_t>(c)] = v;
  }
  return t;
}

inline constexpr std::array<uint8_t, 256> kByteClasses = makeByteClasses();

inline bool is(char c, ByteClass cls) {
  return (kByteClasses[static_cast<unsigned char>(c)] & cls) != 0;
}
inline bool isWs(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trimOws(std::string_view s);

// Scans one field line (without its line terminator). `complete` is false while the line's LF has
// not arrived yet: the scan then reports only errors that more bytes cannot undo, so feeding a
// message in pieces yields the same error as feeding it whole.
ParseResult scanField(std::string_view content, bool complete, HeaderField& out);

// Parses field lines from `pos` up to and including the empty line ending the section; `end` is
// set to the offset just after that empty line.
ParseResult parseFieldSection(std::string_view view, size_t pos, size_t maxFields,
                              std::vector<HeaderField>& fields, size_t& end);

// A Content-Length field value (a comma list is accepted when every member is identical).
// `value` carries the previous value when `seen` is true and is updated in place.
ErrorCode foldContentLength(std::string_view fieldValue, bool& seen, uint64_t& value);

// Calls `fn(element)` for each comma-separated list element, OWS-trimmed (empty ones included).
template <typename Fn>
void forEachListElement(std::string_view value, Fn&& fn) {
  size_t start = 0;
  while (true) {
    size_t comma = value.find(',', start);
    std::string_view elem = value.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    fn(trimOws(elem));
    if (comma == std::string_view::npos) return;
    start = comma + 1;
  }
}

}  // namespace consentry::http1::detail
