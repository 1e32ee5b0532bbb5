#pragma once
// The item splitting the text consent formats share (text_sources.cc, onetrust.cc): `sep`
// separated items, `key<sep>value` pairs trimmed of spaces and tabs, and per-thread flags.

#include <string_view>

#include "base/byte_scan.h"
#include "filters/consent/sources.h"

namespace consentry::filters::consent::text {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every separator of the formats here but a configured kv one is a single byte: found by the
// inline 16-byte scan. string_view::find(string_view) called memchr and then memcmp (for zero
// bytes) per item; OneTrust's value alone has ~10 items and pairs of 5-40 bytes.
inline size_t findSep(std::string_view text, std::string_view sep) {
  if (sep.size() != 1) return text.find(sep);
  const size_t at = findEitherByte(text, 0, sep.front(), sep.front());
  return at == text.size() ? std::string_view::npos : at;
}

// Calls f(item) for each `sep`-separated item; stops and returns false when f does.
template <typename F>
bool forEachItem(std::string_view text, std::string_view sep, F&& f) {
  if (sep.empty()) return f(text);
  while (true) {
    size_t pos = findSep(text, sep);
    if (!f(text.substr(0, pos))) return false;
    if (pos == std::string_view::npos) return true;
    text.remove_prefix(pos + sep.size());
  }
}

inline bool splitPair(std::string_view item, std::string_view sep, std::string_view& key,
                      std::string_view& value) {
  if (sep.empty()) return false;
  size_t pos = findSep(item, sep);
  if (pos == std::string_view::npos) return false;
  key = trim(item.substr(0, pos));
  value = trim(item.substr(pos + sep.size()));
  return !key.empty();
}

inline SourceDecision malformed() {
  return SourceDecision::none(SourceDecision::Outcome::Malformed);
}

// The flags of one parse, in per-thread storage: a consent cookie seen for the first time
// (every OneTrust and Cookiebot value carries a per-visitor id) otherwise allocated and freed a
// vector for its few categories. Parsers do not nest, and none keeps the flags after returning.
inline ConsentFlags& scratchFlags() {
  thread_local ConsentFlags flags;
  flags.items.clear();
  flags.version.reset();
  return flags;
}

}  // namespace consentry::filters::consent::text
