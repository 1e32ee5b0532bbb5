#include "filters/consent/tcf_source.h"

#include <algorithm>

namespace consentry::filters::consent::tcf {
namespace {

int64_t toDeciseconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() / 100;
}

enum class Restriction { None, NotAllowed, RequireConsent, RequireLi };

Restriction restrictionFor(const TcString& tc, int purpose, int vendor) {
  for (const PubRestriction& pr : tc.pubRestrictions) {
    if (pr.purposeId != purpose) continue;
    if (!std::binary_search(pr.vendors.begin(), pr.vendors.end(), static_cast<uint16_t>(vendor))) {
      continue;
    }
    switch (pr.restrictionType) {
      case 0:
        return Restriction::NotAllowed;
      case 1:
        return Restriction::RequireConsent;
      case 2:
        return Restriction::RequireLi;
      default:
        break;  // 3 is undefined in the spec: no effect
    }
  }
  return Restriction::None;
}

bool purposeGranted(const TcString& tc, const config::ConsentSource& source, int purpose) {
  Restriction restriction = Restriction::None;
  bool vendorConsent = true, vendorLi = true;
  if (source.vendorId) {
    int v = *source.vendorId;
    restriction = restrictionFor(tc, purpose, v);
    vendorConsent = tc.vendorConsents.contains(v);
    vendorLi = tc.vendorLegitimateInterests.contains(v);
  }
  if (restriction == Restriction::NotAllowed) return false;
  bool byConsent =
      hasId(tc.purposesConsent, purpose) && vendorConsent && restriction != Restriction::RequireLi;
  // Purpose 1 and purposes 3-6 can never rest on legitimate interest under TCF 2.2.
  bool liAllowed = source.acceptLi && purpose != 1 && (purpose < 3 || purpose > 6);
  bool byLi = liAllowed && hasId(tc.purposesLITransparency, purpose) && vendorLi &&
              restriction != Restriction::RequireConsent;
  return byConsent || byLi;
}

bool categoryGranted(const TcString& tc, const config::ConsentSource& source,
                     const std::vector<int>& purposes) {
  if (purposes.empty()) return false;  // nothing configured cannot mean "everything consented"
  for (int p : purposes) {
    if (!purposeGranted(tc, source, p)) return false;
  }
  return true;
}

}  // namespace

std::string_view invalidName(Invalid why) {
  switch (why) {
    case Invalid::None:
      return "";
    case Invalid::Version:
      return "version";
    case Invalid::NotServiceSpecific:
      return "not_service_specific";
    case Invalid::PolicyVersion:
      return "tcf_policy_version";
    case Invalid::LiForPurposes3To6:
      return "li_for_purposes_3_to_6";
    case Invalid::DisclosedVendorsMissing:
      return "disclosed_vendors_missing";
    case Invalid::Expired:
      return "expired";
    case Invalid::FromFuture:
      return "last_updated_in_future";
  }
  return "";
}

Invalid checkValidity(const TcString& tc, std::chrono::system_clock::time_point now,
                      std::chrono::milliseconds maxConsentAge) {
  if (tc.version != 2) return Invalid::Version;
  if (!tc.isServiceSpecific) return Invalid::NotServiceSpecific;
  if (tc.tcfPolicyVersion < 4) return Invalid::PolicyVersion;
  for (int p = 3; p <= 6; ++p) {
    if (hasId(tc.purposesLITransparency, p)) return Invalid::LiForPurposes3To6;
  }
  bool needsDv = tc.tcfPolicyVersion >= 5 || tc.created >= kTcf23CreatedDeciseconds;
  if (needsDv && !tc.disclosedVendors) return Invalid::DisclosedVendorsMissing;
  int64_t nowDs = toDeciseconds(now);
  if (tc.lastUpdated < nowDs - maxConsentAge.count() / 100) return Invalid::Expired;
  int64_t skewDs = std::chrono::duration_cast<std::chrono::milliseconds>(kClockSkew).count() / 100;
  if (tc.lastUpdated > nowDs + skewDs) return Invalid::FromFuture;
  return Invalid::None;
}

Categories categoriesFor(const TcString& tc, const config::ConsentSource& source) {
  return {categoryGranted(tc, source, source.analyticsPurposes),
          categoryGranted(tc, source, source.marketingPurposes),
          categoryGranted(tc, source, source.functionalPurposes)};
}

SourceDecision parseTcfCookie(const config::ConsentSource& source, std::string_view value,
                              std::chrono::system_clock::time_point now) {
  using Outcome = SourceDecision::Outcome;
  auto tc = decodeTcString(value);
  if (!tc) return SourceDecision::none(Outcome::Malformed);
  Invalid why = checkValidity(*tc, now, source.maxConsentAge);
  if (why == Invalid::Expired || why == Invalid::FromFuture) {
    return SourceDecision::none(Outcome::Expired);
  }
  if (why != Invalid::None) return SourceDecision::none(Outcome::TcfInvalid);
  return SourceDecision::decided(categoriesFor(*tc, source));
}

}  // namespace consentry::filters::consent::tcf
