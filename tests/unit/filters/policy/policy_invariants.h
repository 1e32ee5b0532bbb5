#pragma once
// SPEC §9 invariant 2 as a property: for a random event reduced by a policy and serialized by
// events/event_json.h, no value the policy drops (or reduces away) appears in the output, and a
// truncated IP carries no more bits than the policy allows. Every field gets a sentinel value
// that occurs nowhere else in the JSON, so "absent" can be checked by substring search.

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "config/config.h"
#include "events/event.h"
#include "events/event_json.h"
#include "filters/policy/field_policy.h"

namespace consentry::filters::policy::testing {

struct Sentinels {
  std::string osMajor, osMinor, browserMajor, browserMinor, langPrimary, langRegion;
  std::string refHost, refPath, path, visitor, propName, subdivisionCode;
  int screenW = 0, screenH = 0, viewW = 0, viewH = 0;
  IpAddress ip;
};

inline std::string token(std::mt19937_64& rng, const char* prefix) {
  std::string s = prefix;
  for (int i = 0; i < 6; ++i) s.push_back(static_cast<char>('a' + rng() % 26));
  return s;
}

inline IpAddress randomIp(std::mt19937_64& rng) {
  std::array<uint8_t, 16> b{};
  for (auto& x : b) x = static_cast<uint8_t>(rng() | 1);  // never all-zero host bits
  switch (rng() % 3) {
    case 0:
      return IpAddress::v4(static_cast<uint32_t>(rng() | 0x01010101));
    case 1:
      return IpAddress::v6(b);
    default: {  // IPv4-mapped IPv6: must be treated as IPv4 by truncation
      std::array<uint8_t, 16> m{};
      m[10] = m[11] = 0xff;
      for (int i = 12; i < 16; ++i) m[i] = static_cast<uint8_t>(rng() | 1);
      return IpAddress::v6(m);
    }
  }
}

inline events::Event randomEvent(std::mt19937_64& rng, Sentinels& s) {
  s.osMajor = token(rng, "osmaj");
  s.osMinor = token(rng, "osmin");
  s.browserMajor = token(rng, "brmaj");
  s.browserMinor = token(rng, "brmin");
  s.langPrimary = token(rng, "");
  s.langRegion = token(rng, "LR");
  s.refHost = token(rng, "refhost");
  s.refPath = token(rng, "refpath");
  s.path = token(rng, "pathsent");
  s.visitor = token(rng, "visitorsent");
  s.propName = token(rng, "propsent");
  s.subdivisionCode = token(rng, "SUB");
  s.screenW = 1001 + static_cast<int>(rng() % 98) * 100 + 7;  // never a multiple of 100
  s.screenH = 1003 + static_cast<int>(rng() % 98) * 100 + 11;
  s.viewW = 1005 + static_cast<int>(rng() % 98) * 100 + 13;
  s.viewH = 1009 + static_cast<int>(rng() % 98) * 100 + 17;
  s.ip = randomIp(rng);

  events::Event e;
  e.type = rng() % 2 ? events::EventType::Pageview : events::EventType::Beacon;
  e.id = "fixed-id";
  e.time = std::chrono::system_clock::time_point{};
  e.region = "r";
  e.country = "QZ";
  e.subdivision = "QZ-" + s.subdivisionCode;
  e.consent = events::ConsentInfo{true, false, false, "cookie", 1};
  e.ip = s.ip;
  e.osName = "OSNAME";
  e.osVersion = s.osMajor + "." + s.osMinor + ".3";
  e.browserName = "BRNAME";
  e.browserVersion = s.browserMajor + "." + s.browserMinor;
  e.language = s.langPrimary + "-" + s.langRegion;
  e.screen = events::Screen{s.screenW, s.screenH, 1.5 + static_cast<double>(rng() % 3)};
  e.viewport = events::Viewport{s.viewW, s.viewH};
  e.host = "example.com";
  e.path = "/" + s.path;
  e.referrer = "https://" + s.refHost + ".example/" + s.refPath + "?q=1";
  e.visitor = s.visitor;
  e.bot = false;
  e.props = std::vector<std::pair<std::string, events::PropValue>>{{s.propName, std::string("v")}};
  return e;
}

inline bool has(const std::string& json, const std::string& needle) {
  return json.find(needle) != std::string::npos;
}

// The serialized "ip" value, or nullopt when the key is absent.
inline std::optional<IpAddress> serializedIp(const std::string& json) {
  const std::string key = "\"ip\":\"";
  const size_t at = json.find(key);
  if (at == std::string::npos) return std::nullopt;
  const size_t end = json.find('"', at + key.size());
  return IpAddress::parse(std::string_view(json).substr(at + key.size(), end - at - key.size()));
}

// Applies `policy` to `n` random events and checks every field rule against the JSON.
inline void checkPolicyInvariants(const config::FieldPolicy& p, uint64_t seed, int n) {
  using namespace config;
  std::mt19937_64 rng(seed);
  std::string json;
  for (int i = 0; i < n; ++i) {
    Sentinels s;
    events::Event e = randomEvent(rng, s);
    applyFieldPolicy(p, e);
    json.clear();
    events::appendEventJson(e, json);
    SCOPED_TRACE(json);

    // ip
    const auto ip = serializedIp(json);
    if (p.ip == IpRule::Drop) {
      EXPECT_FALSE(has(json, "\"ip\":"));
    } else {
      ASSERT_TRUE(ip.has_value());
      const IpAddress orig = s.ip.unmapped();
      if (p.ip == IpRule::Truncate) {
        const int bits = orig.isV4() ? p.ipV4Bits : p.ipV6Bits;
        EXPECT_EQ(*ip, orig.truncated(bits));
        EXPECT_EQ(ip->truncated(bits), *ip);  // no bit beyond the prefix is set
      } else {
        EXPECT_EQ(ip->unmapped(), orig);
      }
    }
    // versions
    auto checkVersion = [&](VersionRule r, const std::string& major, const std::string& minor) {
      if (r != VersionRule::Full) {
        EXPECT_FALSE(has(json, minor));
      }
      if (r == VersionRule::Drop) {
        EXPECT_FALSE(has(json, major));
      }
      if (r != VersionRule::Drop) {
        EXPECT_TRUE(has(json, major));
      }
    };
    checkVersion(p.osVersion, s.osMajor, s.osMinor);
    checkVersion(p.browserVersion, s.browserMajor, s.browserMinor);
    EXPECT_TRUE(has(json, "OSNAME"));
    // language
    if (p.language != LanguageRule::Full) {
      EXPECT_FALSE(has(json, s.langRegion));
    }
    if (p.language == LanguageRule::Drop) {
      EXPECT_FALSE(has(json, "\"language\":"));
    }
    // screen and viewport
    for (int v : {s.screenW, s.screenH, s.viewW, s.viewH}) {
      if (p.screen != ScreenRule::Exact) {
        EXPECT_FALSE(has(json, std::to_string(v)));
      }
    }
    if (p.screen == ScreenRule::Drop) {
      EXPECT_FALSE(has(json, "\"screen\":"));
      EXPECT_FALSE(has(json, "\"viewport\":"));
    }
    // location
    if (p.location != LocationRule::Subdivision) {
      EXPECT_FALSE(has(json, s.subdivisionCode));
    }
    if (p.location == LocationRule::Drop) {
      EXPECT_FALSE(has(json, "\"country\":"));
    }
    // referrer
    if (p.referrer != ReferrerRule::Full) {
      EXPECT_FALSE(has(json, s.refPath));
    }
    if (p.referrer == ReferrerRule::Drop) {
      EXPECT_FALSE(has(json, s.refHost));
    }
    // keep/drop fields
    if (p.path == KeepRule::Drop) {
      EXPECT_FALSE(has(json, s.path));
    }
    if (p.visitor == KeepRule::Drop) {
      EXPECT_FALSE(has(json, s.visitor));
    }
    if (p.props == KeepRule::Drop) {
      EXPECT_FALSE(has(json, s.propName));
    }
    if (p.path == KeepRule::Keep) {
      EXPECT_TRUE(has(json, s.path));
    }
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace consentry::filters::policy::testing
