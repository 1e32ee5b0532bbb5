#pragma once
// The telemetry subcommands of the CLI (SPEC §1): explain, tcf-decode, ua-parse. SREs use them to
// see why a request was (not) recorded, what a TC string says and how a UA parses.

#include <vector>

#include "proxy/cli.h"

namespace consentry::proxy {

std::vector<CliCommand> telemetryCommands();

}  // namespace consentry::proxy
