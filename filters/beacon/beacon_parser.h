#pragma once
// Parses beacon bodies (SPEC §4): one event object or {"events":[...]}, sent by t.js with
// fetch/sendBeacon as application/json or text/plain. simdjson On-Demand, no DOM.
// Unknown keys are ignored (newer scripts may send more); wrong types and out-of-range values
// make the whole body malformed, so a client bug is visible as a 400 rather than silent data loss.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/units.h"
#include "events/event.h"

namespace consentry::filters {

struct BeaconEvent {
  std::string name;  // "beacon" when the client sent none
  std::optional<events::Screen> screen;
  std::optional<events::Viewport> viewport;
  std::optional<std::string> language;
  std::optional<std::string> path;
  std::optional<std::string> referrer;
  std::vector<std::pair<std::string, events::PropValue>> props;
};

struct BeaconLimits {
  size_t maxBytes = 32 * kKiB;
  size_t maxEvents = 64;
  size_t maxNameChars = 64;
  size_t maxProps = 50;
  size_t maxStringBytes = 1024;
};

struct BeaconParseResult {
  int status = 200;   // 200 ok, 400 malformed, 413 too large / too many events
  std::string error;  // human-readable reason when status != 200
  std::vector<BeaconEvent> events;
};

BeaconParseResult parseBeacon(std::string_view body, const BeaconLimits& limits);

// The JSON error body for a failed parse: {"error":"..."}.
std::string beaconErrorJson(const BeaconParseResult& result);

}  // namespace consentry::filters
