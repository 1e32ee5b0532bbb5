// Text consent formats: site kv cookies, CookieYes (OneTrust: onetrust.cc,
// Cookiebot: cookiebot.cc).
#include <string>

#include "base/http_header.h"
#include "base/short_compare.h"
#include "filters/consent/sources.h"
#include "filters/consent/text_items.h"

namespace consentry::filters::consent {
namespace {

using Outcome = SourceDecision::Outcome;
using text::forEachItem;
using text::malformed;
using text::scratchFlags;
using text::splitPair;
using text::trim;

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

}  // namespace consentry::filters::consent
