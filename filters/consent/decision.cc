#include "filters/consent/decision.h"

namespace consentry::filters::consent {

std::string_view reasonName(Reason r) {
  switch (r) {
    case Reason::Granted:
      return "granted";
    case Reason::Refused:
      return "refused";
    case Reason::NoDecision:
      return "no_decision";
    case Reason::Malformed:
      return "malformed";
    case Reason::PolicyOutdated:
      return "policy_outdated";
    case Reason::RequiredCookieMissing:
      return "required_cookie_missing";
    case Reason::Gpc:
      return "gpc";
    case Reason::TcfInvalid:
      return "tcf_invalid";
    case Reason::Expired:
      return "expired";
    case Reason::Oversized:
      return "oversized";
  }
  return "no_decision";
}

Reason reasonFor(SourceDecision::Outcome o) {
  using O = SourceDecision::Outcome;
  switch (o) {
    case O::Decided:
      return Reason::Granted;
    case O::NoDecision:
      return Reason::NoDecision;
    case O::Malformed:
      return Reason::Malformed;
    case O::PolicyOutdated:
      return Reason::PolicyOutdated;
    case O::TcfInvalid:
      return Reason::TcfInvalid;
    case O::Expired:
      return Reason::Expired;
    case O::Oversized:
      return Reason::Oversized;
  }
  return Reason::NoDecision;
}

}  // namespace consentry::filters::consent
