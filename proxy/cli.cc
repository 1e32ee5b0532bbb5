#include "proxy/cli.h"

#include <cstdio>
#include <ctime>
#include <iostream>
#include <vector>

#include "config/config_loader.h"
#include "proxy/cli_telemetry.h"
#include "proxy/tls/tls_listener.h"

#ifndef CONSENTRY_VERSION
#define CONSENTRY_VERSION "0.1.0"
#endif

namespace consentry::proxy {
namespace {

int printErrors(const config::LoadResult& result) {
  for (const auto& e : result.errors) std::cout << e.format() << '\n';
  return 1;
}

// The config position of the certificate or key file a TLS error names (the listener's address
// when it names neither), so the error reads FILE:LINE:COL like every other --check error.
std::string certificatePosition(const config::Config& config, const config::Listener& listener,
                                const std::string& message) {
  for (const auto& pair : listener.tls->certificates) {
    for (const std::string* file : {&pair.key, &pair.cert}) {
      if (message.find("'" + *file + "'") != std::string::npos) {
        return configPositionOf(config.sourcePath, *file);
      }
    }
  }
  return configPositionOf(config.sourcePath, listener.address);
}

// Loads every TLS certificate/key pair the way the proxy will; prints what cannot be used.
bool checkCertificates(const config::Config& config) {
  bool ok = true;
  const std::time_t now = std::time(nullptr);
  for (const auto& listener : config.listeners) {
    if (!listener.tls) continue;
    auto loaded =
        tls::TlsListener::create(listener.address, *listener.tls, false,
                                 std::make_shared<tls::TicketKeys>(listener.tls->ticketRotation));
    if (!loaded) {
      std::cout << certificatePosition(config, listener, loaded.error().message) << ": listener "
                << listener.address << ": " << loaded.error().message << '\n';
      ok = false;
      continue;
    }
    for (const auto& certificate : (*loaded)->certificates()) {
      if (certificate.notAfter <= now) {
        std::cerr << "warning: listener " << listener.address << ": certificate '"
                  << certificate.certFile << "' (" << certificate.label() << ") has expired\n";
      }
    }
  }
  return ok;
}

int runCheck(const CliContext& context, std::span<const std::string_view>) {
  config::LoadOptions options;
  options.checkFiles = true;
  auto result = loadConfig(context.configPath, context.configGiven, options);
  if (!result.config) return printErrors(result);
  const auto fileErrors = validateNamedFiles(*result.config);
  for (const auto& e : fileErrors) std::cout << e << '\n';
  if (!fileErrors.empty()) return 1;
  if (!checkCertificates(*result.config)) return 1;
  std::cout << "ok\n";
  return 0;
}

int runDumpConfig(const CliContext& context, std::span<const std::string_view>) {
  auto result = loadConfig(context.configPath, context.configGiven);
  if (!result.config) return printErrors(result);
  std::cout << config::dumpConfig(*result.config);
  return 0;
}

// Subcommands: a new one is one line here (explain, tcf-decode and ua-parse belong to their
// owners and are added by them).
const std::vector<CliCommand>& subcommands() {
  static const std::vector<CliCommand> table = telemetryCommands();
  return table;
}

void printUsage(std::FILE* to) {
  std::fprintf(to,
               "usage: consentry [-c FILE]                 run the proxy\n"
               "       consentry [-c FILE] --check         validate the config; print ok or "
               "FILE:LINE:COL: message lines\n"
               "       consentry [-c FILE] --dump-config   print the effective config as YAML\n");
  for (const auto& c : subcommands()) {
    std::fprintf(to, "       consentry %.*s\n", static_cast<int>(c.usage.size()), c.usage.data());
  }
  std::fprintf(to,
               "       consentry --version | --help\n"
               "The default config is conf/consentry.yaml (the built-in one when it is absent).\n"
               "Exit codes: 0 ok, 1 invalid config or input, 2 usage error.\n");
}

int usageError(std::string_view message) {
  std::fprintf(stderr, "consentry: %.*s\n", static_cast<int>(message.size()), message.data());
  printUsage(stderr);
  return 2;
}

}  // namespace

std::string_view versionString() {
  return CONSENTRY_VERSION;
}

int runCli(int argc, const char* const* argv, RunHooks& hooks) {
  CliContext context;
  context.hooks = &hooks;
  enum class Action { Run, Check, DumpConfig } action = Action::Run;
  int actions = 0;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "-c" || a == "--config") {
      if (i + 1 >= args.size()) return usageError("-c needs a FILE");
      context.configPath = std::string(args[++i]);
      context.configGiven = true;
    } else if (a == "--check") {
      action = Action::Check;
      ++actions;
    } else if (a == "--dump-config") {
      action = Action::DumpConfig;
      ++actions;
    } else if (a == "--version") {
      std::printf("consentry %.*s\n", static_cast<int>(versionString().size()),
                  versionString().data());
      return 0;
    } else if (a == "--help" || a == "-h") {
      printUsage(stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return usageError("unknown option " + std::string(a));
    } else {
      if (actions > 0) return usageError("a command cannot be combined with --check/--dump-config");
      for (const auto& c : subcommands()) {
        if (c.name == a) {
          return c.run(context, std::span<const std::string_view>(args).subspan(i + 1));
        }
      }
      return usageError("unknown command " + std::string(a));
    }
  }
  if (actions > 1) return usageError("--check and --dump-config are exclusive");
  switch (action) {
    case Action::Check:
      return runCheck(context, {});
    case Action::DumpConfig:
      return runDumpConfig(context, {});
    case Action::Run:
      break;
  }
  return runProxy(context.configPath, context.configGiven, hooks);
}

}  // namespace consentry::proxy
