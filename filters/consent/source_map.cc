#include <array>
#include <charconv>
#include <string>

#include "base/http_header.h"
#include "base/short_compare.h"
#include "filters/consent/sources.h"

namespace consentry::filters::consent {
namespace {

using config::ConsentSourceType;

struct DefaultKeys {
  std::string_view analytics, marketing, functional;
};

// Each vendor names its categories differently; these are the names a stock install uses, so a
// config may omit `map`.
DefaultKeys defaultsFor(ConsentSourceType type) {
  switch (type) {
    case ConsentSourceType::OneTrust:
      return {"C0002", "C0004", "C0003"};
    case ConsentSourceType::Cookiebot:
      return {"statistics", "marketing", "preferences"};
    case ConsentSourceType::CookieYes:
      return {"analytics", "advertisement", "functional"};
    default:
      return {"analytics", "marketing", "functional"};
  }
}

}  // namespace

bool ConsentFlags::granted(std::string_view key) const {
  for (const auto& [k, v] : items) {
    if (sameBytes(k, key)) return v;
  }
  return false;
}

std::vector<std::string_view> mappedKeys(const config::ConsentSource& source,
                                         std::string_view category) {
  std::vector<std::string_view> keys;
  if (source.map.empty()) {
    DefaultKeys d = defaultsFor(source.type);
    if (category == "analytics") keys.push_back(d.analytics);
    if (category == "marketing") keys.push_back(d.marketing);
    if (category == "functional") keys.push_back(d.functional);
    return keys;
  }
  auto it = source.map.find(std::string(category));
  if (it == source.map.end()) return keys;
  for (const std::string& k : it->second) keys.push_back(k);
  return keys;
}

Categories applyMap(const config::ConsentSource& source, const ConsentFlags& flags) {
  // mappedKeys without its vector: this runs for every consented request.
  if (source.map.empty()) {
    const DefaultKeys d = defaultsFor(source.type);
    return {flags.granted(d.analytics), flags.granted(d.marketing), flags.granted(d.functional)};
  }
  // One walk over the (at most a few) mapped categories instead of a tree lookup with string
  // compares per category: this runs on every consent cookie seen for the first time.
  auto grantedAll = [&](const std::vector<std::string>& keys) {
    if (keys.empty()) return false;
    for (const std::string& k : keys) {
      if (!flags.granted(k)) return false;
    }
    return true;
  };
  Categories c;
  for (const auto& [category, keys] : source.map) {
    if (equalsLiteral(category, "analytics")) {
      c.analytics = grantedAll(keys);
    } else if (equalsLiteral(category, "marketing")) {
      c.marketing = grantedAll(keys);
    } else if (equalsLiteral(category, "functional")) {
      c.functional = grantedAll(keys);
    }
  }
  return c;
}

bool isGrantedWord(std::string_view value) {
  return value == "1" || equalsIgnoreCase(value, "true") || equalsIgnoreCase(value, "yes") ||
         equalsIgnoreCase(value, "granted");
}

std::optional<int> parseIntStrict(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  int v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

SourceDecision parseCookieSource(const config::ConsentSource& source, std::string_view value) {
  switch (source.type) {
    case ConsentSourceType::Cookie:
      return source.format == config::CookieFormat::Json ? parseJsonCookie(source, value)
                                                         : parseKvCookie(source, value);
    case ConsentSourceType::OneTrust:
      return parseOneTrust(source, value);
    case ConsentSourceType::Cookiebot:
      return parseCookiebot(source, value);
    case ConsentSourceType::CookieYes:
      return parseCookieYes(source, value);
    case ConsentSourceType::CcCookie:
      return parseCcCookie(source, value);
    case ConsentSourceType::Klaro:
      return parseKlaro(source, value);
    case ConsentSourceType::Tcf:
      break;
  }
  return SourceDecision::none(SourceDecision::Outcome::NoDecision);
}

}  // namespace consentry::filters::consent
