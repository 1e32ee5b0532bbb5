#pragma once
// The event model behind schema consentry.event/1 (SPEC §5). Built by the filter chain, reduced
// by the region policy, serialized by events/event_json.h. An unset optional is an absent field.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "base/fixed_text.h"
#include "base/ip_address.h"

namespace consentry::events {

enum class EventType : uint8_t { Pageview, Beacon, ConsentWithdrawn };

// A UUIDv7 in its 36-character text form (events/uuid7.h makes them).
using EventId = FixedText<36>;
// 32 lower-case hex digits (filters/telemetry/visitor_id.h makes and validates them).
using VisitorId = FixedText<32>;

struct ConsentInfo {
  bool analytics = false;
  bool marketing = false;
  bool functional = false;
  // "cookie" | "tcf" | "onetrust" | ...: always a static name (consent::sourceTypeName or a
  // literal), never a view of request memory, so the event stays self-contained.
  std::string_view source;
  std::optional<int> policyVersion;
};

struct Screen {
  int width = 0;
  int height = 0;
  double dpr = 1.0;
};

struct Viewport {
  int width = 0;
  int height = 0;
};

// A beacon prop value: the beacon accepts scalars only.
using PropValue = std::variant<std::string, double, bool>;

struct Event {
  // Declared here and defaulted below the class, so the constructor is user-provided: a
  // value-initialised Event (optional<Event>::emplace(), once per pageview) then runs only the
  // member initialisers instead of first zero-filling all ~870 bytes (a `rep stos` in profiles).
  Event();

  EventType type = EventType::Pageview;
  EventId id;
  std::chrono::system_clock::time_point time;
  std::string name;  // beacon events only
  std::string region = "default";
  std::optional<std::string> country;      // ISO 3166-1 alpha-2
  std::optional<std::string> subdivision;  // "US-CA"
  std::optional<ConsentInfo> consent;      // absent on consent.withdrawn

  std::optional<IpAddress> ip;
  std::optional<std::string> osName, osVersion;
  std::optional<std::string> browserName, browserVersion;
  std::optional<std::string> deviceType, deviceFamily, deviceBrand, deviceModel;
  std::optional<std::string> language;
  std::optional<Screen> screen;
  std::optional<Viewport> viewport;

  std::optional<std::string> host, path, referrer;
  std::optional<VisitorId> visitor;
  std::optional<bool> bot;
  std::optional<std::vector<std::pair<std::string, PropValue>>> props;
};

inline Event::Event() = default;

std::string_view eventTypeName(EventType type);  // "pageview" | "beacon" | "consent.withdrawn"

}  // namespace consentry::events
