#pragma once
// The consent decision for one request (SPEC §3): the configured sources in order, then
// min_policy_version, the `require` cookies and Global Privacy Control.

#include <chrono>
#include <optional>
#include <span>
#include <string_view>

#include "base/http_header.h"
#include "config/config.h"
#include "filters/consent/cookie_jar.h"
#include "filters/consent/decision.h"

namespace consentry::filters::consent {

/// What the evaluator decided. `source` names the source whose cookie decided ("cookie", "tcf",
/// "onetrust", "cookiebot", "cookieyes", "cc_cookie", "klaro"), empty when none did.
struct ConsentResult {
  bool analytics = false;
  bool marketing = false;
  bool functional = false;
  std::string_view source;
  std::optional<int> policyVersion;
  Reason reason = Reason::NoDecision;
  std::string_view reasonLabel() const { return reasonName(reason); }
};

/// The source type's name as used in ConsentResult::source and the config.
std::string_view sourceTypeName(config::ConsentSourceType type);

/// Immutable once built; safe to share between threads.
class ConsentEvaluator {
 public:
  explicit ConsentEvaluator(config::Consent config);

  /// Decides from the request headers (every `Cookie` header and `Sec-GPC`, names matched
  /// case-insensitively). Does not allocate when no consent cookie is present.
  ConsentResult evaluate(std::span<const HeaderField> headers,
                         std::chrono::system_clock::time_point now) const;
  /// The same, with the cookies already split from `headers` (the event path splits them once
  /// for consent and the visitor id).
  ConsentResult evaluate(const CookieJar& cookies, std::span<const HeaderField> headers,
                         std::chrono::system_clock::time_point now) const;

  const config::Consent& config() const { return config_; }

 private:
  config::Consent config_;
  uint64_t id_;  // tells this evaluator's memoised decisions from a reloaded one's
};

/// True when the Sec-GPC header among `headers` is `1`.
bool gpcEnabled(std::span<const HeaderField> headers);

}  // namespace consentry::filters::consent
