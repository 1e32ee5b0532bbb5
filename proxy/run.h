#pragma once
// Running the proxy process: load the config, start workers and the admin listener, and handle
// signals on the main thread (SIGHUP reload, SIGUSR1 reopen logs, SIGTERM/SIGINT drain).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "config/config_loader.h"
#include "proxy/worker_context.h"

namespace consentry::proxy {

// What the rest of the product plugs into the process (all optional).
struct RunHooks {
  // Validates/prepares a loaded config before it is published (e.g. the telemetry chain's UA
  // regexes and geo DB); an error refuses the config.
  std::function<Result<void>(const config::ConfigPtr&)> prepare;
  ChainFactory chainFactory;
  std::function<void()> reopenLogs;  // SIGUSR1, after the access log
  // After a reload, once every worker serves `config`: whatever was prepared for older configs
  // can be released (live connections keep their own references).
  std::function<void(const config::ConfigPtr&)> everyWorkerSwitched;
  std::function<void()> drained;  // after in-flight requests finished: flush event sinks
  // Why the process is not ready (e.g. an event sink failing for long), or nullopt; /readyz.
  std::function<std::optional<std::string>()> readiness;
};

// Loads `path`, or the embedded default config when !configGiven and the file does not exist.
config::LoadResult loadConfig(const std::string& path, bool configGiven,
                              const config::LoadOptions& options = {});

// Runs until SIGTERM/SIGINT; returns the exit code.
int runProxy(const std::string& path, bool configGiven, RunHooks& hooks);

// Blocks SIGHUP, SIGUSR1, SIGTERM and SIGINT in the calling thread and in every thread it starts
// from now on, until runProxy() has installed their handlers and unblocks them in its own thread.
// Without it, one that arrives while the proxy starts (its listeners already answering) takes its
// default action: a reload or a drain request would end the process at once, without draining.
// A signal held this way is handled as soon as the handlers exist. runProxy() calls it; call it
// earlier if threads start before runProxy().
void holdProcessSignals();

}  // namespace consentry::proxy
