#pragma once
// Command-line front end (SPEC §1). Global options (-c FILE, --check, --dump-config, --version,
// --help) plus a table of subcommands: a subcommand is added by one entry in cli.cc's table.
// Exit codes: 0 success, 1 invalid config or input, 2 usage error.

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "proxy/run.h"

namespace consentry::proxy {

struct CliContext {
  std::string configPath = "conf/consentry.yaml";
  bool configGiven = false;  // -c was used (else a missing default file means the embedded one)
  RunHooks* hooks = nullptr;
};

struct CliCommand {
  std::string_view name;
  std::string_view usage;  // one line for --help
  std::function<int(const CliContext&, std::span<const std::string_view> args)> run;
};

// Parses argv and runs the chosen command; returns the exit code.
int runCli(int argc, const char* const* argv, RunHooks& hooks);

std::string_view versionString();

}  // namespace consentry::proxy
