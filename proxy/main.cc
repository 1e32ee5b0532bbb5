// consentry: the process entry point. Joins the proxy (proxy/run.h) with the telemetry chain
// (filters/telemetry_chain.h) and the event pipeline (events/pipeline.h) through RunHooks.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>

#include "events/event_metrics.h"
#include "events/pipeline.h"
#include "events/sinks/sink_factory.h"
#include "filters/chain_metrics.h"
#include "filters/telemetry_chain.h"
#include "proxy/admin/metrics.h"
#include "proxy/cli.h"
#include "proxy/run.h"

namespace {

using namespace consentry;

// Everything the hooks share; lives for the whole process.
struct Telemetry {
  std::unique_ptr<events::EventPipeline> pipeline;
  std::unique_ptr<filters::ChainFactory> chains;
  std::atomic<filters::ChainFactory*> published{nullptr};  // for the geo watcher thread
  std::atomic<bool> stopped{false};
};

unsigned workerCountFor(const config::Config& config) {
  return config.workers > 0 ? static_cast<unsigned>(config.workers)
                            : std::max(1u, std::thread::hardware_concurrency());
}

// Start: create the pipeline (its outbox count is the worker count, fixed for the process) and
// the chain factory. Reload: reconfigure sinks and routes in place, then prepare the new
// snapshot's chain; either failing refuses the config.
Result<void> prepare(Telemetry& t, const config::ConfigPtr& config) {
  if (!t.pipeline) {
    events::PipelineOptions options;
    options.workers = workerCountFor(*config);
    auto pipeline = events::EventPipeline::create(*config, options, events::makeSink);
    if (!pipeline) return pipeline.error();
    t.pipeline = std::move(*pipeline);
    t.pipeline->start();
    t.chains = std::make_unique<filters::ChainFactory>(t.pipeline.get());
    t.published.store(t.chains.get(), std::memory_order_release);
  } else if (auto r = t.pipeline->reconfigure(*config); !r) {
    return r.error();
  }
  if (auto geo = t.chains->geoDatabase()) {
    // SIGHUP also picks up a replaced geo database; a bad new file keeps the old one serving.
    if (auto r = geo->reloadIfChanged(); !r) {
      std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"geo database reload failed\"}\n");
    }
  }
  return t.chains->prepare(config);
}

// Geo databases are replaced in place by updaters (geoipupdate): notice without a SIGHUP.
void watchGeoDatabase(Telemetry& t, const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    for (int i = 0; i < 50 && !stop.stop_requested(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (auto* chains = t.published.load(std::memory_order_acquire)) {
      if (auto geo = chains->geoDatabase()) (void)geo->reloadIfChanged();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  static Telemetry telemetry;
  admin::metrics().addCollector([](std::string& out) {
    filters::renderChainMetrics(out);
    events::EventMetrics::global().renderPrometheus(out);
  });

  proxy::RunHooks hooks;
  hooks.prepare = [](const config::ConfigPtr& config) { return prepare(telemetry, config); };
  hooks.chainFactory = [](const config::Config& config,
                          unsigned worker) -> std::unique_ptr<filters::Chain> {
    return telemetry.chains ? telemetry.chains->make(config, worker) : nullptr;
  };
  hooks.everyWorkerSwitched = [](const config::ConfigPtr& config) {
    if (telemetry.chains) telemetry.chains->retainOnly(config.get());
  };
  hooks.reopenLogs = [] {
    if (telemetry.pipeline) telemetry.pipeline->reopen();
  };
  hooks.readiness = []() -> std::optional<std::string> {
    if (!telemetry.pipeline || telemetry.stopped) return std::nullopt;
    return telemetry.pipeline->readiness();
  };
  // Before any thread starts: see holdProcessSignals().
  proxy::holdProcessSignals();
  std::jthread geoWatcher([](const std::stop_token& stop) { watchGeoDatabase(telemetry, stop); });
  hooks.drained = [] {
    // Every request has finished: whatever the workers accepted is in the outboxes now.
    if (!telemetry.pipeline || telemetry.stopped.exchange(true)) return;
    if (!telemetry.pipeline->flushAndStop(std::chrono::steady_clock::now() +
                                          std::chrono::seconds(30))) {
      std::fprintf(stderr,
                   "{\"level\":\"warn\",\"msg\":\"events left in spools or dropped at exit\"}\n");
    }
  };
  return proxy::runCli(argc, argv, hooks);
}
