// Cookiebot's CookieConsent (docs/consent.md): a JavaScript-object-like value. One reader runs
// on a decoded value (parseCookiebot) and on the value as sent (parseCookiebotEncoded), where an
// escape `%XX` reads as the one byte it stands for: every value carries a per-visitor stamp, so
// the evaluator's memo misses it, and decoding all of it (~14 escapes) before parsing was a
// second pass over the value.
#include <emmintrin.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "base/byte_scan.h"
#include "base/hex.h"
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
      const bool keyEscaped = escaped_;
      skipSpace();
      if (!eat(':')) return false;
      skipSpace();
      if (!readToken(val, quoted)) return false;
      key = decode(key, keyEscaped);
      if (equalsLiteral(key, "ver")) {
        if (quoted) return false;
        flags.version = parseIntStrict(decode(val, escaped_));
        if (!flags.version) return false;
      } else if (!quoted) {
        val = decode(val, escaped_);
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
        if (const int byte = hex::escapeAt(s_, pos); byte >= 0) {
          width = 3;
          return static_cast<char>(byte);
        }
      }
    }
    return s_[pos];
  }

  // A token's bytes, decoded (only an encoded token with an escape needs it: escaped_, which
  // readToken set; the caller passes it on, as the value's token is read after the key's).
  std::string_view decode(std::string_view token, bool escaped) {
    if constexpr (Encoded) {
      if (escaped) {
        const size_t n = percentDecodeTo(token, out_);
        std::string_view decoded(out_, n);
        out_ += n;
        return decoded;
      }
    }
    return token;
  }

  // The position of the closing quote `q` from pos_, or npos; `width` its bytes.
  size_t findQuote(char q, size_t& width) {
    width = 1;
    if constexpr (!Encoded) return s_.find(q, pos_);
    for (size_t i = findEitherByte(s_, pos_, q, '%'); i < s_.size();
         i = findEitherByte(s_, i + 1, q, '%')) {
      if (at(i, width) == q) return i;
      escaped_ = true;  // a '%' inside: decode() has work only then
    }
    return std::string_view::npos;
  }

  // Reads a token at pos_; only right after skipSpace(). Always inline: GCC kept it out of line,
  // and the call with its spills cost ~20 instructions per token (14 tokens a value).
  [[gnu::always_inline]] bool readToken(std::string_view& out, bool& quoted) {
    quoted = false;
    escaped_ = false;
    size_t width = 0;
    {
      const int q = next_;
      next_ = kStale;
      if (q == '\'' || q == '"') {
        pos_ += nextWidth_;
        const size_t end = findQuote(static_cast<char>(q), width);
        if (end == std::string_view::npos) return false;
        out = s_.substr(pos_, end - pos_);
        pos_ = end + width;
        quoted = true;
        return true;
      }
    }
    const size_t start = pos_;
    if constexpr (Encoded) {
      pos_ = unquotedEnd(pos_);
    } else {
      while (pos_ < s_.size() && kByteClass[static_cast<uint8_t>(s_[pos_])] != kStop) ++pos_;
    }
    out = s_.substr(start, pos_ - start);
    return !out.empty();
  }

  // Where the unquoted token from `i` ends in the encoded text (a stop byte, an escape of one,
  // or the end); notes in escaped_ whether it holds an escape. Jumps from candidate to candidate
  // (nextCandidate) instead of looking up every byte: the tokens are 4-12 bytes, and the byte
  // loop was a quarter of the Cookiebot parse.
  size_t unquotedEnd(size_t i) {
    while ((i = nextCandidate(i)) < s_.size()) {
      const uint8_t cls = kByteClass[static_cast<uint8_t>(s_[i])];
      if (cls == kStop) return i;
      if (cls == kPercent) {
        if (const int byte = hex::escapeAt(s_, i); byte >= 0) {
          if (kByteClass[static_cast<uint8_t>(byte)] == kStop) return i;
          escaped_ = true;
          i += 3;
          continue;
        }
      }
      ++i;  // a literal '%' (decoding keeps it), or a candidate that ends nothing
    }
    return i;
  }

  // The first byte at or after `from` that is '%' or a stop byte, or a byte that merely looks
  // like one, or s_.size(): candidates are the bytes below '0' (space, quotes, ',', '%'; bytes
  // from 0x80 compare as negative and come along), ':', '{' and '}'. 16 bytes a step; the last
  // step loads the value's last 16 bytes and drops those before `from`, so no byte loop is left
  // unless the whole value is shorter than 16.
  size_t nextCandidate(size_t from) const {
    const size_t n = s_.size();
    if (n < 16) {
      for (; from < n; ++from) {
        const char c = s_[from];
        if (c < '0' || c == ':' || c == '{' || c == '}') return from;
      }
      return n;
    }
    while (from < n) {
      const size_t at = from + 16 <= n ? from : n - 16;
      __m128i v;
      std::memcpy(&v, s_.data() + at, sizeof v);
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8('0')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('{')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('}'))));
      const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hit)) >> (from - at);
      if (mask != 0) return from + static_cast<size_t>(__builtin_ctz(mask));
      from = at + 16;
    }
    return n;
  }

  // Skips spaces and tabs, then holds the unit it stopped at in next_ / nextWidth_ (kEnd at the
  // end): eat() and readToken() come right after and read it from there instead of decoding an
  // escape such as the "%2C" between items twice.
  void skipSpace() {
    while (pos_ < s_.size()) {
      const char c = at(pos_, nextWidth_);
      if (c != ' ' && c != '\t') {
        next_ = static_cast<unsigned char>(c);
        return;
      }
      pos_ += nextWidth_;
    }
    next_ = kEnd;
  }

  // Eats `c` at pos_; only right after skipSpace() (or a failed eat()).
  bool eat(char c) {
    if (next_ != static_cast<unsigned char>(c)) return false;
    pos_ += nextWidth_;
    next_ = kStale;
    return true;
  }

  bool atEnd() {
    skipSpace();
    return pos_ == s_.size();
  }

  std::string_view s_;
  size_t pos_ = 0;
  char* out_ = nullptr;              // where decode() writes next (Encoded only)
  bool escaped_ = false;             // the last token read may hold an escape (Encoded only)
  static constexpr int kEnd = -1;    // next_ at the end of the text
  static constexpr int kStale = -2;  // next_ once pos_ moved on
  int next_ = kStale;                // the unit skipSpace() stopped at, as decoded
  size_t nextWidth_ = 1;             // its bytes
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
