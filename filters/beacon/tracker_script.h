#pragma once
// The same-origin script served at telemetry.beacon.script (SPEC §4). It sends screen, viewport,
// device pixel ratio and language once per page to the beacon path, and exposes
// window.consentry.track(name, props). It sets no cookie and needs no framework; whether anything
// is recorded is decided by the proxy from the visitor's consent, never by the script.

#include <string>
#include <string_view>

namespace consentry::filters {

// The script text with `beaconPath` substituted (a JSON string literal inside the script).
std::string trackerScript(std::string_view beaconPath);

}  // namespace consentry::filters
