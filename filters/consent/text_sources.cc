// Text consent formats: site kv cookies, OneTrust, Cookiebot and CookieYes.
#include <string>

#include "base/byte_scan.h"
#include "base/http_header.h"
#include "base/short_compare.h"
#include "filters/consent/sources.h"

namespace consentry::filters::consent {
namespace {

using Outcome = SourceDecision::Outcome;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every separator of the formats here but a configured kv one is a single byte: found by the
// inline 16-byte scan. string_view::find(string_view) called memchr and then memcmp (for zero
// bytes) per item; OneTrust's value alone has ~10 items and pairs of 5-40 bytes.
size_t findSep(std::string_view text, std::string_view sep) {
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

bool splitPair(std::string_view item, std::string_view sep, std::string_view& key,
               std::string_view& value) {
  if (sep.empty()) return false;
  size_t pos = findSep(item, sep);
  if (pos == std::string_view::npos) return false;
  key = trim(item.substr(0, pos));
  value = trim(item.substr(pos + sep.size()));
  return !key.empty();
}

SourceDecision malformed() {
  return SourceDecision::none(Outcome::Malformed);
}

// The flags of one parse, in per-thread storage: a consent cookie seen for the first time
// (every OneTrust and Cookiebot value carries a per-visitor id) otherwise allocated and freed a
// vector for its few categories. Parsers do not nest, and none keeps the flags after returning.
ConsentFlags& scratchFlags() {
  thread_local ConsentFlags flags;
  flags.items.clear();
  flags.version.reset();
  return flags;
}

}  // namespace

SourceDecision parseKvCookie(const config::ConsentSource& source, std::string_view value) {
  ConsentFlags& flags = scratchFlags();
  bool ok = forEachItem(value, source.pairSeparator, [&](std::string_view item) {
    item = trim(item);
    if (item.empty()) return true;  // a trailing or doubled separator
    std::string_view k, v;
    if (!splitPair(item, source.kvSeparator, k, v)) return false;
    if (k == source.versionKey) {
      flags.version = parseIntStrict(v);
      return flags.version.has_value();
    }
    flags.items.emplace_back(k, isGrantedWord(v));
    return true;
  });
  if (!ok || (flags.items.empty() && !flags.version)) return malformed();
  return SourceDecision::decided(applyMap(source, flags), flags.version);
}

SourceDecision parseOneTrust(const config::ConsentSource& source, std::string_view value) {
  std::string_view groups;
  bool haveGroups = false, awaitingReconsent = false, gpc = false, noInteraction = false;
  forEachItem(value, "&", [&](std::string_view item) {
    std::string_view k, v;
    if (!splitPair(item, "=", k, v)) return true;  // OneTrust adds keys freely; ignore oddities
    if (equalsLiteral(k, "groups")) {
      groups = v;
      haveGroups = true;
    } else if (equalsLiteral(k, "AwaitingReconsent")) {
      awaitingReconsent = equalsLiteral(v, "true");
    } else if (equalsLiteral(k, "isGpcEnabled")) {
      gpc = equalsLiteral(v, "1");
    } else if (equalsLiteral(k, "interactionCount")) {
      noInteraction = equalsLiteral(v, "0");
    }
    return true;
  });
  // Groups set before the visitor interacted are the CMP's defaults, not the visitor's signal.
  if (!haveGroups || groups.empty() || noInteraction) {
    return SourceDecision::none(haveGroups || noInteraction ? Outcome::NoDecision
                                                            : Outcome::Malformed);
  }
  if (awaitingReconsent) return SourceDecision::none(Outcome::PolicyOutdated);
  ConsentFlags& flags = scratchFlags();
  bool ok = forEachItem(groups, ",", [&](std::string_view item) {
    std::string_view k, v;
    if (!splitPair(item, ":", k, v) || (!equalsLiteral(v, "0") && !equalsLiteral(v, "1")))
      return false;
    flags.items.emplace_back(k, equalsLiteral(v, "1"));
    return true;
  });
  if (!ok) return malformed();
  Categories c = applyMap(source, flags);
  if (gpc) c.marketing = false;  // the CMP honoured GPC: it may only take away
  return SourceDecision::decided(c);
}

SourceDecision parseCookieYes(const config::ConsentSource& source, std::string_view value) {
  ConsentFlags& flags = scratchFlags();
  bool acted = true;
  bool ok = forEachItem(value, ",", [&](std::string_view item) {
    item = trim(item);
    if (item.empty()) return true;
    std::string_view k, v;
    if (!splitPair(item, ":", k, v)) return false;
    if (k == "action") {
      acted = v == "yes";
    } else if (k == "rev") {
      flags.version = parseIntStrict(v);
      return flags.version.has_value();
    } else if (k != "consentid" && k != "consent") {
      if (v != "yes" && v != "no") return false;
      flags.items.emplace_back(k, v == "yes");
    }
    return true;
  });
  if (!ok || flags.items.empty()) return malformed();
  if (!acted) return SourceDecision::none(Outcome::NoDecision);
  return SourceDecision::decided(applyMap(source, flags), flags.version);
}

namespace {

// Reads Cookiebot's JavaScript-object-like value: {key:value,...} with unquoted or quoted keys
// and values that are 'single'/"double" quoted strings, true/false or numbers.
class JsObjectReader {
 public:
  explicit JsObjectReader(std::string_view text) : s_(text) {}

  bool parse(ConsentFlags& flags) {
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
      if (equalsLiteral(key, "ver")) {
        if (quoted) return false;
        flags.version = parseIntStrict(val);
        if (!flags.version) return false;
      } else if (!quoted && (equalsLiteral(val, "true") || equalsLiteral(val, "false"))) {
        flags.items.emplace_back(key, equalsLiteral(val, "true"));
      }
      skipSpace();
      if (eat(',')) continue;
      if (eat('}')) return atEnd();
      return false;
    }
  }

 private:
  bool readToken(std::string_view& out, bool& quoted) {
    quoted = false;
    if (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) {
      char q = s_[pos_++];
      size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) return false;
      out = s_.substr(pos_, end - pos_);
      pos_ = end + 1;
      quoted = true;
      return true;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ':' && s_[pos_] != ',' && s_[pos_] != '}' &&
           s_[pos_] != ' ' && s_[pos_] != '\'' && s_[pos_] != '"' && s_[pos_] != '{') {
      ++pos_;
    }
    out = s_.substr(start, pos_ - start);
    return !out.empty();
  }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
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
};

}  // namespace

SourceDecision parseCookiebot(const config::ConsentSource& source, std::string_view value) {
  value = trim(value);
  // -1: Cookiebot decided consent is not required for this visitor (e.g. outside its regions).
  // That is not the visitor's own signal, so it is no decision rather than "all granted".
  if (equalsLiteral(value, "-1")) return SourceDecision::none(Outcome::NoDecision);
  ConsentFlags& flags = scratchFlags();
  if (!JsObjectReader(value).parse(flags) || flags.items.empty()) return malformed();
  return SourceDecision::decided(applyMap(source, flags), flags.version);
}

}  // namespace consentry::filters::consent
