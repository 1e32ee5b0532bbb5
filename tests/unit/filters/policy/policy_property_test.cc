#include <gtest/gtest.h>

#include "geo/strictest.h"
#include "tests/unit/filters/policy/policy_invariants.h"

namespace consentry::filters::policy {
namespace {

using namespace config;

FieldPolicy randomPolicy(std::mt19937_64& rng) {
  FieldPolicy p;
  p.ip = static_cast<IpRule>(rng() % 3);
  p.ipV4Bits = static_cast<int>(rng() % 33);
  p.ipV6Bits = static_cast<int>(rng() % 129);
  p.osVersion = static_cast<VersionRule>(rng() % 3);
  p.browserVersion = static_cast<VersionRule>(rng() % 3);
  p.language = static_cast<LanguageRule>(rng() % 3);
  p.screen = static_cast<ScreenRule>(rng() % 3);
  p.location = static_cast<LocationRule>(rng() % 3);
  p.referrer = static_cast<ReferrerRule>(rng() % 3);
  p.path = static_cast<KeepRule>(rng() % 2);
  p.visitor = static_cast<KeepRule>(rng() % 2);
  p.props = static_cast<KeepRule>(rng() % 2);
  return p;
}

TEST(PolicyProperty, RandomPoliciesOnRandomEvents) {
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 300; ++i) {
    const FieldPolicy p = randomPolicy(rng);
    testing::checkPolicyInvariants(p, rng(), 20);
    if (HasFailure()) return;
  }
}

TEST(PolicyProperty, StrictestOfRandomPoliciesIsAtLeastAsStrictAsEach) {
  // Whatever any region drops, the strictest merge drops too; its IP never has more bits.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::vector<FieldPolicy> ps;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) ps.push_back(randomPolicy(rng));
    const FieldPolicy s = geo::strictestFieldPolicy(ps);
    testing::Sentinels sent;
    std::mt19937_64 erng(rng());
    const events::Event base = testing::randomEvent(erng, sent);
    events::Event strict = base;
    applyFieldPolicy(s, strict);
    std::string strictJson;
    events::appendEventJson(strict, strictJson);
    for (const FieldPolicy& p : ps) {
      events::Event one = base;
      applyFieldPolicy(p, one);
      if (!one.ip) {
        EXPECT_FALSE(strict.ip.has_value());
      }
      if (one.ip && strict.ip) {
        EXPECT_EQ(strict.ip->isV4(), one.ip->isV4());
      }
      for (const std::string* v :
           {&sent.osMinor, &sent.browserMinor, &sent.langRegion, &sent.refPath, &sent.refHost,
            &sent.path, &sent.visitor, &sent.propName, &sent.subdivisionCode}) {
        std::string oneJson;
        events::appendEventJson(one, oneJson);
        if (oneJson.find(*v) == std::string::npos) {
          EXPECT_EQ(strictJson.find(*v), std::string::npos) << *v;
        }
      }
      if (one.ip && strict.ip) {
        // The strict address is the one-region address truncated further (or equal).
        const int bits = strict.ip->isV4() ? (s.ip == IpRule::Truncate ? s.ipV4Bits : 32)
                                           : (s.ip == IpRule::Truncate ? s.ipV6Bits : 128);
        EXPECT_EQ(one.ip->truncated(bits), *strict.ip);
      }
    }
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace consentry::filters::policy
