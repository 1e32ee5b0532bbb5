#pragma once
// The telemetry subcommands of the CLI (SPEC §1): explain, tcf-decode, ua-parse. SREs use them to
// see why a request was (not) recorded, what a TC string says and how a UA parses.

#include <string>
#include <vector>

#include "config/config.h"

#include "proxy/cli.h"

namespace consentry::proxy {

std::vector<CliCommand> telemetryCommands();

// `--check` beyond syntax: opens and decodes the geo database and compiles the UA regexes the
// config names. Errors are "FILE:LINE:COL: message", positioned at the path in the config file.
std::vector<std::string> validateNamedFiles(const config::Config& config);

// Where `value` first appears in the config file, as "FILE:LINE:COL" (FILE:1:1 when not found,
// e.g. for the embedded default config): the position --check gives a problem found after loading.
std::string configPositionOf(const std::string& file, const std::string& value);

}  // namespace consentry::proxy
