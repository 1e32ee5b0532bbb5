#include "geo/strictest.h"

#include <algorithm>

namespace consentry::geo {
namespace {

using namespace config;

// Ranks spell the strictness order out instead of relying on enum declaration order, which is
// not ordered for IpRule and may change in config.h.
int rank(VersionRule r) {
  switch (r) {
    case VersionRule::Full:
      return 0;
    case VersionRule::Major:
      return 1;
    case VersionRule::Drop:
      return 2;
  }
  return 2;
}

int rank(LanguageRule r) {
  switch (r) {
    case LanguageRule::Full:
      return 0;
    case LanguageRule::Primary:
      return 1;
    case LanguageRule::Drop:
      return 2;
  }
  return 2;
}

int rank(ScreenRule r) {
  switch (r) {
    case ScreenRule::Exact:
      return 0;
    case ScreenRule::Bucket:
      return 1;
    case ScreenRule::Drop:
      return 2;
  }
  return 2;
}

int rank(LocationRule r) {
  switch (r) {
    case LocationRule::Subdivision:
      return 0;
    case LocationRule::Country:
      return 1;
    case LocationRule::Drop:
      return 2;
  }
  return 2;
}

int rank(ReferrerRule r) {
  switch (r) {
    case ReferrerRule::Full:
      return 0;
    case ReferrerRule::Origin:
      return 1;
    case ReferrerRule::Drop:
      return 2;
  }
  return 2;
}

int rank(KeepRule r) {
  return r == KeepRule::Keep ? 0 : 1;
}

int rank(GpcMode m) {
  switch (m) {
    case GpcMode::Ignore:
      return 0;
    case GpcMode::RefuseMarketing:
      return 1;
    case GpcMode::RefuseAll:
      return 2;
  }
  return 2;
}

template <typename Rule>
Rule stricter(Rule a, Rule b) {
  return rank(b) > rank(a) ? b : a;
}

// Prefix lengths a policy lets through; keep = the whole address.
int v4Bits(const FieldPolicy& p) {
  return p.ip == IpRule::Truncate ? std::clamp(p.ipV4Bits, 0, 32) : 32;
}

int v6Bits(const FieldPolicy& p) {
  return p.ip == IpRule::Truncate ? std::clamp(p.ipV6Bits, 0, 128) : 128;
}

void mergeIp(FieldPolicy& into, const FieldPolicy& p) {
  if (into.ip == IpRule::Drop || p.ip == IpRule::Drop) {
    into.ip = IpRule::Drop;
    return;
  }
  const int v4 = std::min(v4Bits(into), v4Bits(p));
  const int v6 = std::min(v6Bits(into), v6Bits(p));
  if (v4 < 32 || v6 < 128) {
    into.ip = IpRule::Truncate;
    into.ipV4Bits = v4;
    into.ipV6Bits = v6;
  }
}

}  // namespace

FieldPolicy strictestFieldPolicy(std::span<const FieldPolicy> policies) {
  FieldPolicy out;
  for (const FieldPolicy& p : policies) {
    mergeIp(out, p);
    out.osVersion = stricter(out.osVersion, p.osVersion);
    out.browserVersion = stricter(out.browserVersion, p.browserVersion);
    out.language = stricter(out.language, p.language);
    out.screen = stricter(out.screen, p.screen);
    out.location = stricter(out.location, p.location);
    out.referrer = stricter(out.referrer, p.referrer);
    out.path = stricter(out.path, p.path);
    out.visitor = stricter(out.visitor, p.visitor);
    out.props = stricter(out.props, p.props);
  }
  return out;
}

GpcMode strictestGpc(GpcMode a, GpcMode b) {
  return stricter(a, b);
}

}  // namespace consentry::geo
