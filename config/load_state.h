#pragma once
// Shared state of one load: the config being filled, the error list and the positions that the
// cross-field checks (config_checks.cc) need after every section is parsed. Internal to config/.

#include <string>
#include <vector>

#include "config/config.h"
#include "config/node_reader.h"

namespace consentry::config::detail {

struct LoadState {
  Config& config;
  std::vector<ConfigError>& errors;
  std::string file;   // the main file's name, as given
  SourcePos rootPos;  // for errors about something missing
  int includeDepth = 0;
  bool checkFiles = false;  // LoadOptions::checkFiles

  // Parallel to the vectors in `config`, for errors found after parsing.
  std::vector<SourcePos> listenerPos;
  SourcePos adminPos;
  SourcePos upstreamsPos;       // the `upstreams` key, or the root when absent
  bool upstreamsGiven = false;  // the `upstreams` key is present (even if empty)
  std::vector<SourcePos> upstreamPos;
  std::vector<SourcePos> routeUpstreamPos;
  std::vector<SourcePos> regionPos;
  std::vector<std::vector<SourcePos>> regionSinkPos;
  std::vector<SourcePos> sinkPos;
  SourcePos unknownRegionPos;
  std::vector<SourcePos> unknownSinkPos;
};

// Each reads its top-level keys from `root` into state.config.
void parseServer(MapReader& root, LoadState& state);   // listeners ... drain_timeout, access_log
void parseConsent(MapReader& root, LoadState& state);  // consent, telemetry
void parseRegions(MapReader& root, LoadState& state);  // geo, regions, unknown_*, privacy
void parseSinks(MapReader& root, LoadState& state);    // sinks
// References between sections, duplicates, required pieces; then the documented defaults.
void checkAndComplete(LoadState& state);

// With state.checkFiles, reports `m`'s `key` (or the mapping, when the default is used) unless
// `file` can be opened for reading. An empty `file` means "not configured" and is not checked.
void checkReadable(LoadState& state, MapReader& m, const char* key, const std::string& file);

// "host:port" or "[v6]:port"; an empty string when valid, else what is wrong. Hostnames are
// accepted only where `allowHostname` (upstream servers); port 0 only where `allowPortZero`.
std::string checkHostPort(const std::string& text, bool allowHostname, bool allowPortZero);
// A canonical form ("[::1]:80", "127.0.0.1:80") so that spelling variants compare equal.
std::string canonicalHostPort(const std::string& text);

}  // namespace consentry::config::detail
