#pragma once
// Loads and validates the YAML config into an immutable snapshot. Every problem is reported as
// "FILE:LINE:COL: message" (the position of the offending YAML node); unknown keys are errors.

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

LoadResult loadConfigFile(const std::string& path);
LoadResult loadConfigString(std::string_view yaml, const std::string& fileName);

// The effective config as YAML, defaults filled in, secrets (keys, http headers, kafka
// sasl/ssl properties) redacted.
std::string dumpConfig(const Config& config);

// conf/consentry.yaml, compiled into the binary; used when no -c is given and the file is absent.
std::string_view embeddedDefaultConfig();

}  // namespace consentry::config
