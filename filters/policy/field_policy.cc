#include "filters/policy/field_policy.h"

#include "filters/policy/field_rules.h"

namespace consentry::filters::policy {
namespace {

using namespace config;

void applyIp(const FieldPolicy& p, events::Event& e) {
  if (!e.ip) return;
  // Unmapped first, whatever the rule: a v4-mapped v6 address must get the v4 prefix (48 v6
  // bits would keep every v4 bit), and one address should have one form in the output.
  const IpAddress a = e.ip->unmapped();
  switch (p.ip) {
    case IpRule::Keep:
      e.ip = a;
      return;
    case IpRule::Drop:
      e.ip.reset();
      return;
    case IpRule::Truncate:
      e.ip = a.truncated(a.isV4() ? p.ipV4Bits : p.ipV6Bits);
      return;
  }
}

void applyVersion(VersionRule rule, std::optional<std::string>& version) {
  if (!version) return;
  if (rule == VersionRule::Drop ||
      (rule == VersionRule::Major && !reduceToMajorVersion(*version))) {
    version.reset();
  }
}

void applyLanguage(LanguageRule rule, std::optional<std::string>& language) {
  if (!language) return;
  if (rule == LanguageRule::Drop ||
      (rule == LanguageRule::Primary && !reduceToPrimaryLanguage(*language))) {
    language.reset();
  }
}

void applyScreen(ScreenRule rule, events::Event& e) {
  switch (rule) {
    case ScreenRule::Exact:
      return;
    case ScreenRule::Drop:
      e.screen.reset();
      e.viewport.reset();
      return;
    case ScreenRule::Bucket:
      if (e.screen) bucketScreen(*e.screen);
      if (e.viewport) bucketViewport(*e.viewport);
      return;
  }
}

void applyLocation(LocationRule rule, events::Event& e) {
  switch (rule) {
    case LocationRule::Subdivision:
      return;
    case LocationRule::Country:
      e.subdivision.reset();
      return;
    case LocationRule::Drop:
      e.country.reset();
      e.subdivision.reset();
      return;
  }
}

void applyReferrer(ReferrerRule rule, std::optional<std::string>& referrer) {
  if (!referrer) return;
  if (rule == ReferrerRule::Drop || (rule == ReferrerRule::Origin && !reduceToOrigin(*referrer))) {
    referrer.reset();
  }
}

template <typename T>
void applyKeep(KeepRule rule, std::optional<T>& field) {
  if (rule == KeepRule::Drop) field.reset();
}

}  // namespace

void applyFieldPolicy(const FieldPolicy& policy, events::Event& event) {
  applyIp(policy, event);
  applyVersion(policy.osVersion, event.osVersion);
  applyVersion(policy.browserVersion, event.browserVersion);
  applyLanguage(policy.language, event.language);
  applyScreen(policy.screen, event);
  applyLocation(policy.location, event);
  applyReferrer(policy.referrer, event.referrer);
  applyKeep(policy.path, event.path);
  applyKeep(policy.visitor, event.visitor);
  applyKeep(policy.props, event.props);
}

}  // namespace consentry::filters::policy
