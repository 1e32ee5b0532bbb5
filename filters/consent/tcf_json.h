#pragma once
// `consentry tcf-decode` output (SPEC §1): one JSON object per TC string.

#include <chrono>
#include <string>
#include <string_view>

namespace consentry::filters::consent {

/// The TC string as one JSON object: the TCF field names (camelCase), created/lastUpdated as
/// ISO-8601 UTC with `Z`, id sets as sorted arrays, publisherRestrictions, disclosedVendors,
/// allowedVendors and publisherTC when present, then "valid" and, when invalid, "invalidReason"
/// (validity judged at `now` with the default max_consent_age). A malformed string gives
/// {"error":"..."}; `ok` (if given) tells which of the two it was.
std::string tcfDecodeJson(std::string_view tcString, std::chrono::system_clock::time_point now,
                          bool* ok = nullptr);

/// ISO-8601 UTC text of a TC string time (deciseconds since the epoch), e.g.
/// "2020-01-26T17:01:00.100Z".
std::string formatDeciseconds(int64_t deciseconds);

}  // namespace consentry::filters::consent
