// Cookiebot's CookieConsent (docs/consent.md): a JavaScript-object-like value. One reader runs
// on a decoded value (parseCookiebot) and on the value as sent (parseCookiebotEncoded), where an
// escape `%XX` reads as the one byte it stands for: every value carries a per-visitor stamp, so
// the evaluator's memo misses it, and decoding all of it (~14 escapes) before parsing was a
// second pass over the value.
#include <array>
#include <cstdint>
#include <string>

#include "base/byte_scan.h"
#include "base/short_compare.h"
#include "filters/consent/cookie_header.h"
#include "filters/consent/sources.h"
#include "filters/consent/text_items.h"

namespace consentry::filters::consent {
namespace {

// The bytes that end an unquoted token; '%' is marked apart: in a value as sent it may be an
// escape of one of them.
constexpr uint8_t kStop = 1;
constexpr uint8_t kPercent = 2;
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (char c : std::string_view(":,} '\"{")) t[static_cast<uint8_t>(c)] = kStop;
  t['%'] = kPercent;
  return t;
}();

// Reads {key:value,...} with unquoted or quoted keys and values that are 'single'/"double"
// quoted strings, true/false or numbers. Encoded: the text is percent-encoded, and reads as its
// decoding would (each unit is a plain byte or an escape, and no token boundary falls inside an
// escape, so a token's bytes decode on their own as they would in the whole).
template <bool Encoded>
class JsObjectReader {
 public:
  explicit JsObjectReader(std::string_view text) : s_(text) {}

  // True when the text, past spaces, opens an object (a "-1" cannot).
  bool opensObject() {
    skipSpace();
    size_t width = 0;
    return pos_ < s_.size() && at(pos_, width) == '{';
  }

  bool parse(ConsentFlags& flags) {
    if constexpr (Encoded) {
      // Decoded keys must outlive the parse (flags keep views of them); decoded tokens are
      // never longer than the text, so one buffer of its size never moves.
      thread_local std::string decoded;
      if (decoded.size() < s_.size()) decoded.resize(s_.size());
      out_ = decoded.data();
    }
    skipSpace();
    if (!eat('{')) return false;
    skipSpace();
    if (eat('}')) return atEnd();
    while (true) {
      std::string_view key, val;
      bool quoted = false;
      skipSpace();
      if (!readToken(key, quoted) || key.empty()) return false;
      skipSpace();
      if (!eat(':')) return false;
      skipSpace();
      if (!readToken(val, quoted)) return false;
      key = decode(key);
      if (equalsLiteral(key, "ver")) {
        if (quoted) return false;
        flags.version = parseIntStrict(decode(val));
        if (!flags.version) return false;
      } else if (!quoted) {
        val = decode(val);
        if (equalsLiteral(val, "true") || equalsLiteral(val, "false")) {
          flags.items.emplace_back(key, equalsLiteral(val, "true"));
        }
      }
      skipSpace();
      if (eat(',')) continue;
      if (eat('}')) return atEnd();
      return false;
    }
  }

 private:
  // The byte at `pos` (< size) as decoded, and the bytes of the text it takes.
  char at(size_t pos, size_t& width) const {
    width = 1;
    if constexpr (Encoded) {
      if (s_[pos] == '%') {
        if (const int byte = escapeAt(s_, pos); byte >= 0) {
          width = 3;
          return static_cast<char>(byte);
        }
      }
    }
    return s_[pos];
  }

  // A token's bytes, decoded (only an encoded text with a '%' in the token needs it).
  std::string_view decode(std::string_view token) {
    if constexpr (Encoded) {
      if (findEitherByte(token, 0, '%', '%') != token.size()) {
        const size_t n = percentDecodeTo(token, out_);
        std::string_view decoded(out_, n);
        out_ += n;
        return decoded;
      }
    }
    return token;
  }

  // The position of the closing quote `q` from pos_, or npos; `width` its bytes.
  size_t findQuote(char q, size_t& width) const {
    width = 1;
    if constexpr (!Encoded) return s_.find(q, pos_);
    for (size_t i = findEitherByte(s_, pos_, q, '%'); i < s_.size();
         i = findEitherByte(s_, i + 1, q, '%')) {
      if (at(i, width) == q) return i;
    }
    return std::string_view::npos;
  }

  bool readToken(std::string_view& out, bool& quoted) {
    quoted = false;
    size_t width = 0;
    if (pos_ < s_.size()) {
      const char q = at(pos_, width);
      if (q == '\'' || q == '"') {
        pos_ += width;
        const size_t end = findQuote(q, width);
        if (end == std::string_view::npos) return false;
        out = s_.substr(pos_, end - pos_);
        pos_ = end + width;
        quoted = true;
        return true;
      }
    }
    const size_t start = pos_;
    while (pos_ < s_.size()) {
      const uint8_t cls = kByteClass[static_cast<uint8_t>(s_[pos_])];
      if (cls == 0 || (cls == kPercent && !Encoded)) {
        ++pos_;
        continue;
      }
      if (cls == kStop) break;
      const char c = at(pos_, width);
      if (kByteClass[static_cast<uint8_t>(c)] == kStop) break;
      pos_ += width;
    }
    out = s_.substr(start, pos_ - start);
    return !out.empty();
  }

  void skipSpace() {
    size_t width = 0;
    while (pos_ < s_.size()) {
      const char c = at(pos_, width);
      if (c != ' ' && c != '\t') return;
      pos_ += width;
    }
  }

  bool eat(char c) {
    size_t width = 0;
    if (pos_ < s_.size() && at(pos_, width) == c) {
      pos_ += width;
      return true;
    }
    return false;
  }

  bool atEnd() {
    skipSpace();
    return pos_ == s_.size();
  }

  std::string_view s_;
  size_t pos_ = 0;
  char* out_ = nullptr;  // where decode() writes next (Encoded only)
};

template <bool Encoded>
SourceDecision decideObject(const config::ConsentSource& source, JsObjectReader<Encoded> reader) {
  ConsentFlags& flags = text::scratchFlags();
  if (!reader.parse(flags) || flags.items.empty()) return text::malformed();
  return SourceDecision::decided(applyMap(source, flags), flags.version);
}

}  // namespace

SourceDecision parseCookiebot(const config::ConsentSource& source, std::string_view value) {
  value = text::trim(value);
  // -1: Cookiebot decided consent is not required for this visitor (e.g. outside its regions).
  // That is not the visitor's own signal, so it is no decision rather than "all granted".
  if (equalsLiteral(value, "-1")) return SourceDecision::none(SourceDecision::Outcome::NoDecision);
  return decideObject(source, JsObjectReader<false>(value));
}

SourceDecision parseCookiebotEncoded(const config::ConsentSource& source, std::string_view raw) {
  JsObjectReader<true> reader(raw);
  if (reader.opensObject()) return decideObject(source, reader);
  // Not an object: "-1" (perhaps escaped) or malformed; rare enough to decode first.
  thread_local std::string decoded;
  percentDecodeInto(raw, decoded);
  return parseCookiebot(source, decoded);
}

}  // namespace consentry::filters::consent
