#include "proxy/run.h"

#include <event2/event.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "proxy/admin/access_log.h"
#include "proxy/admin/admin_server.h"
#include "proxy/lifecycle_log.h"
#include "proxy/proxy_metrics.h"
#include "proxy/server.h"

namespace consentry::proxy {

config::LoadResult loadConfig(const std::string& path, bool configGiven,
                              const config::LoadOptions& options) {
  struct stat st {};
  if (!configGiven && ::stat(path.c_str(), &st) != 0) {
    return config::loadConfigString(config::embeddedDefaultConfig(),
                                    std::string(config::kEmbeddedConfigName), options);
  }
  return config::loadConfigFile(path, options);
}

namespace {

std::string joinErrors(const std::vector<config::ConfigError>& errors) {
  std::string text;
  for (const auto& e : errors) {
    if (!text.empty()) text += "; ";
    text += e.format();
  }
  return text;
}

// Everything the signal callbacks need, owned by runProxy's frame.
struct Process {
  const std::string& path;
  bool configGiven;
  RunHooks& hooks;
  Server& server;
  admin::AdminServer& admin;
  admin::AccessLog* accessLog;
  event_base* base;
  bool draining = false;
};

void reload(Process& p) {
  auto result = loadConfig(p.path, p.configGiven);
  // The proxy's own part first (upstream names, certificate files): a refusal there must leave
  // the telemetry chain and sinks untouched too.
  Result<std::shared_ptr<const Snapshot>> snapshot = makeError("config not loaded");
  if (result.config) snapshot = p.server.prepare(result.config);
  Result<void> prepared;
  if (result.config && snapshot && p.hooks.prepare) prepared = p.hooks.prepare(result.config);
  if (!result.config || !snapshot || !prepared) {
    for (const auto& e : result.errors) std::fprintf(stderr, "%s\n", e.format().c_str());
    std::string why = !result.config ? joinErrors(result.errors)
                      : !snapshot    ? snapshot.error().message
                                     : prepared.error().message;
    logLifecycle("error", "reload failed", {{"config", p.path}, {"error", why}});
    ProxyMetrics::get().reload(false);
    return;
  }
  p.server.publish(std::move(*snapshot));
  if (p.accessLog) {
    if (auto r = p.accessLog->reconfigure(result.config->accessLog); !r) {
      logLifecycle("warn", "access log not reconfigured", {{"error", r.error().message}});
    }
  }
  ProxyMetrics::get().reload(true);
  logLifecycle("info", "reload ok", {{"config", result.config->sourcePath}});
  // A worker stuck longer than this keeps the older preparations until the next reload.
  if (p.hooks.everyWorkerSwitched && p.server.awaitWorkersSwitched(std::chrono::seconds(2))) {
    p.hooks.everyWorkerSwitched(result.config);
  }
}

void onSignal(evutil_socket_t signal, short, void* arg) {
  auto& p = *static_cast<Process*>(arg);
  switch (signal) {
    case SIGHUP:
      reload(p);
      break;
    case SIGUSR1:
      if (p.accessLog) p.accessLog->reopen();
      if (p.hooks.reopenLogs) p.hooks.reopenLogs();
      logLifecycle("info", "logs reopened");
      break;
    default:
      p.draining = true;
      event_base_loopbreak(p.base);
      break;
  }
}

sigset_t processSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGUSR1, SIGTERM, SIGINT}) sigaddset(&signals, s);
  return signals;
}

// The handlers exist: a signal held until now is delivered to this thread.
void releaseProcessSignals() {
  const sigset_t signals = processSignals();
  pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
}

unsigned workerCountFor(const config::Config& config) {
  return config.workers > 0 ? static_cast<unsigned>(config.workers)
                            : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

void holdProcessSignals() {
  const sigset_t signals = processSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int runProxy(const std::string& path, bool configGiven, RunHooks& hooks) {
  std::signal(SIGPIPE, SIG_IGN);
  holdProcessSignals();
  auto loaded = loadConfig(path, configGiven);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.format().c_str());
    return 1;
  }
  config::ConfigPtr config = loaded.config;
  ProxyMetrics::get();  // registers the proxy's series so /metrics shows them from the start
  if (hooks.prepare) {
    if (auto r = hooks.prepare(config); !r) {
      logLifecycle("error", "config refused", {{"error", r.error().message}});
      return 1;
    }
  }

  auto accessLog = admin::AccessLog::open(config->accessLog, workerCountFor(*config));
  if (!accessLog) {
    logLifecycle("error", "cannot open access log", {{"error", accessLog.error().message}});
    return 1;
  }

  Server server(hooks.chainFactory);
  server.setAccessLog(accessLog->get());
  if (auto r = server.start(config); !r) {
    logLifecycle("error", "cannot start", {{"error", r.error().message}});
    return 1;
  }
  for (const auto& address : server.boundAddresses()) {
    logLifecycle("info", "listening", {{"address", address}});
  }

  admin::AdminServer adminServer;
  if (auto r =
          adminServer.start([&server] { return server.snapshot()->config; }, config->admin.address);
      !r) {
    logLifecycle("error", "cannot start admin listener",
                 {{"address", config->admin.address}, {"error", r.error().message}});
    server.drain(Duration(0));
    return 1;
  }
  if (hooks.readiness) adminServer.addReadinessCheck("events", hooks.readiness);
  adminServer.setListenersUp(true);
  std::string workers = std::to_string(server.workerCount());
  logLifecycle("info", "started", {{"config", config->sourcePath}, {"workers", workers}});

  event_base* base = event_base_new();
  Process process{path, configGiven, hooks, server, adminServer, accessLog->get(), base};
  std::vector<event*> signals;
  for (int s : {SIGHUP, SIGUSR1, SIGTERM, SIGINT}) {
    event* e = evsignal_new(base, s, &onSignal, &process);
    event_add(e, nullptr);
    signals.push_back(e);
  }
  releaseProcessSignals();
  event_base_dispatch(base);

  logLifecycle("info", "draining");
  adminServer.setDraining(true);
  Duration drainTimeout = server.snapshot()->config->drainTimeout;
  bool clean = server.drain(drainTimeout);
  if (!clean) logLifecycle("warn", "drain timeout: closing remaining connections");
  if (hooks.drained) hooks.drained();
  (*accessLog)->flush();
  adminServer.stop();
  for (event* e : signals) event_free(e);
  event_base_free(base);
  logLifecycle("info", "exit");
  return 0;
}

}  // namespace consentry::proxy
