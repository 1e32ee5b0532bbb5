#pragma once
// The outcome of reading one consent signal, and the reasons reported as metric labels.

#include <optional>
#include <string_view>

namespace consentry::filters::consent {

/// Why the evaluator decided as it did. Each has a fixed snake_case name (reasonName) usable as a
/// metrics label.
enum class Reason {
  Granted,                // analytics granted
  Refused,                // a decision without analytics
  NoDecision,             // no source yielded a decision
  Malformed,              // a consent cookie could not be parsed
  PolicyOutdated,         // policy version below min_policy_version (or the CMP awaits reconsent)
  RequiredCookieMissing,  // a `require` cookie is missing or has another value
  Gpc,                    // Sec-GPC took analytics away (gpc: refuse_all)
  TcfInvalid,             // a TC string that is not valid for a decision
  Expired,                // a TC string older than max_consent_age (or from the future)
  Oversized,              // a consent cookie longer than the accepted maximum
};

/// The metrics label of `r`, e.g. "required_cookie_missing".
std::string_view reasonName(Reason r);

/// Consent per category.
struct Categories {
  bool analytics = false;
  bool marketing = false;
  bool functional = false;
  bool operator==(const Categories&) const = default;
};

/// What one source made of its cookie. Only `outcome == Decided` carries categories; any other
/// outcome means "this source has no decision" and its reason.
struct SourceDecision {
  enum class Outcome {
    Decided,
    NoDecision,
    Malformed,
    PolicyOutdated,
    TcfInvalid,
    Expired,
    Oversized
  };
  Outcome outcome = Outcome::NoDecision;
  Categories categories;
  std::optional<int> policyVersion;

  static SourceDecision decided(Categories c, std::optional<int> version = std::nullopt) {
    return {Outcome::Decided, c, version};
  }
  static SourceDecision none(Outcome o) { return {o, {}, std::nullopt}; }
  bool hasDecision() const { return outcome == Outcome::Decided; }
};

/// The reason that corresponds to a non-decided source outcome.
Reason reasonFor(SourceDecision::Outcome o);

/// Maximum length of a consent cookie value we parse; longer ones count as malformed (oversized).
inline constexpr size_t kMaxConsentCookieBytes = 8192;

}  // namespace consentry::filters::consent
