#pragma once
// Cookie consent formats (SPEC §2, §3): each turns a percent-decoded cookie value into a
// SourceDecision using the source's category map. Pure functions, no exceptions.

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "filters/consent/decision.h"

namespace consentry::filters::consent {

/// Flat key -> granted view of a parsed cookie, plus its policy version if any. Keys point into
/// the parsed text (or the JSON parser's buffer) and live only as long as it.
struct ConsentFlags {
  std::vector<std::pair<std::string_view, bool>> items;
  std::optional<int> version;
  bool granted(std::string_view key) const;
};

/// Categories from flags: a category is granted when the source maps it to at least one key and
/// every mapped key is granted. An empty `source.map` means the type's default map
/// (docs/consent.md).
Categories applyMap(const config::ConsentSource& source, const ConsentFlags& flags);

/// The keys `category` maps to for `source` (its map, else the type's defaults); may be empty.
std::vector<std::string_view> mappedKeys(const config::ConsentSource& source,
                                         std::string_view category);

/// `1`, `true`, `yes`, `granted` (words case-insensitive) grant; anything else refuses.
bool isGrantedWord(std::string_view value);

/// Parses a decimal int (optionally signed); nullopt when not a plain integer in int range.
std::optional<int> parseIntStrict(std::string_view text);

// One parser per format. `value` is the percent-decoded cookie value.
SourceDecision parseKvCookie(const config::ConsentSource& source, std::string_view value);
SourceDecision parseJsonCookie(const config::ConsentSource& source, std::string_view value);
SourceDecision parseOneTrust(const config::ConsentSource& source, std::string_view value);
/// The same decision from the value as sent (before percent-decoding), which it decodes only
/// where the decision reads it: parseOneTrust(source, percentDecode(raw)) without decoding the
/// per-visitor consentId and datestamp.
SourceDecision parseOneTrustEncoded(const config::ConsentSource& source, std::string_view raw);
SourceDecision parseCookiebot(const config::ConsentSource& source, std::string_view value);
/// The same decision from the value as sent, read without decoding it first:
/// parseCookiebot(source, percentDecode(raw)).
SourceDecision parseCookiebotEncoded(const config::ConsentSource& source, std::string_view raw);
SourceDecision parseCookieYes(const config::ConsentSource& source, std::string_view value);
SourceDecision parseCcCookie(const config::ConsentSource& source, std::string_view value);
SourceDecision parseKlaro(const config::ConsentSource& source, std::string_view value);

/// Dispatches on source.type for every non-TCF type (TCF: see tcf_source.h).
SourceDecision parseCookieSource(const config::ConsentSource& source, std::string_view value);

}  // namespace consentry::filters::consent
