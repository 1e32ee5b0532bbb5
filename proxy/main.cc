// consentry: the process entry point. Joins the proxy (proxy/run.h) with the telemetry chain
// (filters/telemetry_chain.h) and the event pipeline (events/pipeline.h) through RunHooks.
#include <algorithm>
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
  bool stopped = false;
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
  } else if (auto r = t.pipeline->reconfigure(*config); !r) {
    return r.error();
  }
  return t.chains->prepare(config);
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
  hooks.reopenLogs = [] {
    if (telemetry.pipeline) telemetry.pipeline->reopen();
  };
  hooks.drained = [] {
    // Every request has finished: whatever the workers accepted is in the outboxes now.
    if (!telemetry.pipeline || telemetry.stopped) return;
    telemetry.stopped = true;
    if (!telemetry.pipeline->flushAndStop(std::chrono::steady_clock::now() +
                                          std::chrono::seconds(30))) {
      std::fprintf(stderr,
                   "{\"level\":\"warn\",\"msg\":\"events left in spools or dropped at exit\"}\n");
    }
  };
  return proxy::runCli(argc, argv, hooks);
}
