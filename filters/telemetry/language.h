#pragma once
// The visitor's language: the beacon's `language` when it is a valid tag, else the Accept-Language
// tag with the highest weight (RFC 9110 §12.4.2 / §12.5.4).

#include <optional>
#include <string>
#include <string_view>

namespace consentry::filters::telemetry {

// A BCP 47-ish tag (alpha 2-3 or 5-8 primary, then 1-8 alphanumeric subtags, 35 chars max)
// normalised by case: "de-de" -> "de-DE", "zh-hant-tw" -> "zh-Hant-TW". nullopt if invalid.
std::optional<std::string> normalizeLanguageTag(std::string_view tag);

// Highest q wins, ties keep the first; `*`, q=0, invalid tags and invalid weights are skipped.
std::optional<std::string> preferredLanguage(std::string_view acceptLanguage);

// The beacon's language if valid, else the Accept-Language choice.
std::optional<std::string> chooseLanguage(std::optional<std::string_view> beaconLanguage,
                                          std::string_view acceptLanguage);

}  // namespace consentry::filters::telemetry
