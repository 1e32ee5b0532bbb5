#pragma once
// Random Events for property tests: every optional independently present or absent, strings
// drawn from a pool that includes quotes, control characters, non-ASCII and invalid UTF-8.

#include <random>
#include <string>

#include "events/event.h"
#include "events/uuid7.h"

namespace consentry::events::testing {

inline std::string randomString(std::mt19937_64& rng) {
  static const char* kPool[] = {"",
                                "a",
                                "Windows",
                                "de-DE",
                                "Say \"hi\"",
                                "back\\",
                                "tab\there",
                                "nl\n",
                                "\x01\x1f",
                                "caf\xc3\xa9",
                                "\xe2\x82\xac",
                                "bad\xff",
                                "\xc0\xaf",
                                "\xed\xa0\x80",
                                "\xf0\x9f\x98\x80",
                                "/path?q=1&r=2",
                                "https://search.example/x"};
  std::string s = kPool[rng() % std::size(kPool)];
  if (rng() % 4 == 0) s += std::to_string(rng() % 100000);
  return s;
}

inline Event randomEvent(std::mt19937_64& rng,
                         const std::vector<std::string>& regions = {"default"}) {
  auto coin = [&] { return rng() % 2 == 0; };
  auto optStr = [&](std::optional<std::string>& field) {
    if (coin()) field = randomString(rng);
  };
  Event e;
  e.type = static_cast<EventType>(rng() % 3);
  static thread_local Uuid7Generator gen(rng());
  e.id = uuidToString(gen.next());
  e.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(
      1'700'000'000'000LL + static_cast<int64_t>(rng() % 100'000'000'000ULL)));
  if (e.type == EventType::Beacon) e.name = randomString(rng);
  e.region = regions[rng() % regions.size()];
  optStr(e.country);
  optStr(e.subdivision);
  if (coin()) {
    ConsentInfo c;
    c.analytics = coin();
    c.marketing = coin();
    c.functional = coin();
    if (coin()) c.source = "cookie";
    if (coin()) c.policyVersion = static_cast<int>(rng() % 10);
    e.consent = c;
  }
  if (coin()) {
    e.ip = rng() % 2 ? IpAddress::v4(static_cast<uint32_t>(rng()))
                     : *IpAddress::parse("2001:db8::" + std::to_string(rng() % 9000));
  }
  optStr(e.osName);
  optStr(e.osVersion);
  optStr(e.browserName);
  optStr(e.browserVersion);
  optStr(e.deviceType);
  optStr(e.deviceFamily);
  optStr(e.deviceBrand);
  optStr(e.deviceModel);
  optStr(e.language);
  if (coin())
    e.screen = Screen{static_cast<int>(rng() % 4000), static_cast<int>(rng() % 4000),
                      0.25 * static_cast<double>(1 + rng() % 16)};
  if (coin()) e.viewport = Viewport{static_cast<int>(rng() % 4000), static_cast<int>(rng() % 4000)};
  optStr(e.host);
  optStr(e.path);
  optStr(e.referrer);
  if (coin()) {  // visitor ids are 32 hex digits: the UUID text without its dashes
    std::string hex = uuidToString(gen.next());
    std::erase(hex, '-');
    e.visitor = hex;
  }
  if (coin()) e.bot = coin();
  if (coin()) {
    e.props.emplace();
    for (size_t n = rng() % 5; n > 0; --n) {
      switch (rng() % 3) {
        case 0:
          e.props->emplace_back(randomString(rng), randomString(rng));
          break;
        case 1:
          e.props->emplace_back(
              randomString(rng),
              static_cast<double>(static_cast<int64_t>(rng() % 2000000) - 1000000) / 7.0);
          break;
        default:
          e.props->emplace_back(randomString(rng), coin());
      }
    }
  }
  return e;
}

}  // namespace consentry::events::testing
