#pragma once
// TCF as a consent source: whether a decoded TC string is valid for a decision (SPEC §3) and
// which categories it grants for the configured purposes and vendor.

#include <chrono>
#include <string_view>

#include "config/config.h"
#include "filters/consent/decision.h"
#include "filters/consent/tcf_string.h"

namespace consentry::filters::consent::tcf {

/// Why a well-formed TC string cannot be used for a decision.
enum class Invalid {
  None,
  Version,                  // not version 2
  NotServiceSpecific,       // isServiceSpecific is 0 (global consent is gone since TCF 2.2)
  PolicyVersion,            // tcfPolicyVersion < 4
  LiForPurposes3To6,        // legitimate interest signalled for purposes 3-6 (forbidden in 2.2)
  DisclosedVendorsMissing,  // no DV segment although policy >= 5 or created >= 2026-02-28
  Expired,                  // lastUpdated older than max_consent_age
  FromFuture,               // lastUpdated later than now plus kClockSkew
};

/// Stable snake_case name used as tcf-decode's invalidReason, e.g. "disclosed_vendors_missing".
std::string_view invalidName(Invalid why);

/// Clock skew tolerated for lastUpdated in the future.
inline constexpr std::chrono::minutes kClockSkew{5};

/// 2026-02-28T00:00:00Z in TC string deciseconds: strings created from then on are TCF 2.3.
inline constexpr int64_t kTcf23CreatedDeciseconds = int64_t{1772236800} * 10;

/// Checks the validity rules in the order listed in SPEC §3; the first failure is returned.
Invalid checkValidity(const TcString& tc, std::chrono::system_clock::time_point now,
                      std::chrono::milliseconds maxConsentAge);

/// Categories a valid string grants for `source` (purposes, vendorId, acceptLi).
Categories categoriesFor(const TcString& tc, const config::ConsentSource& source);

/// The TCF source end to end: decode (malformed -> Malformed), validate (Expired/FromFuture ->
/// Expired, others -> TcfInvalid), then categories.
SourceDecision parseTcfCookie(const config::ConsentSource& source, std::string_view value,
                              std::chrono::system_clock::time_point now);

}  // namespace consentry::filters::consent::tcf
