#pragma once
// Loads and validates the YAML config into an immutable snapshot. Every problem is reported as
// "FILE:LINE:COL: message" (the position of the offending YAML node); unknown keys are errors.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace consentry::config {

struct ConfigError {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  int column = 0;
  std::string message;
  std::string format() const;  // "FILE:LINE:COL: message"
};

struct LoadResult {
  ConfigPtr config;  // null when errors is non-empty
  std::vector<ConfigError> errors;
};

struct LoadOptions {
  // Also report files the config names (TLS certificates and keys, geo.database,
  // telemetry.ua_regexes) that cannot be opened for reading, at their YAML position; for --check.
  // Their contents are checked by the modules that load them.
  bool checkFiles = false;
};

// Relative paths in the config (sinks, spool, geo database, certificates, UA regexes) are kept as
// written and resolve against the process's working directory; only `include:` paths resolve
// against the including file's directory. Every section may be omitted (an empty document is
// the defaults, with one upstream `site` at 127.0.0.1:8081); an explicit empty `upstreams` list
// is an error. All errors are collected, sorted by file and position.
LoadResult loadConfigFile(const std::string& path, const LoadOptions& options = {});
LoadResult loadConfigString(std::string_view yaml, const std::string& fileName,
                            const LoadOptions& options = {});

// The effective config as YAML, defaults filled in, secrets (http headers, kafka sasl/ssl
// properties) redacted; it loads back to an equal config.
std::string dumpConfig(const Config& config);

// conf/consentry.yaml, compiled into the binary; used when no -c is given and the file is absent.
std::string_view embeddedDefaultConfig();
// The files the embedded default config includes (conf/regions/*.yaml), by their path relative
// to conf/ ("regions/gdpr.yaml"); they are compiled in with it.
std::optional<std::string_view> embeddedInclude(std::string_view path);
// The file name errors in the embedded default config carry.
inline constexpr std::string_view kEmbeddedConfigName = "<embedded>";

}  // namespace consentry::config
