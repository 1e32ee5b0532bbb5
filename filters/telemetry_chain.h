#pragma once
// The Chain the proxy runs for every request (filters/chain.h), and the factory that prepares
// one shared, immutable part per config snapshot and one chain per worker.

#include <map>
#include <memory>
#include <mutex>

#include "base/result.h"
#include "config/config.h"
#include "filters/chain.h"
#include "filters/chain_shared.h"
#include "filters/request_decider.h"

namespace consentry::filters {

class TelemetryChain : public Chain {
 public:
  TelemetryChain(std::shared_ptr<const ChainShared> shared, unsigned worker);
  std::unique_ptr<Exchange> begin(const RequestInfo& request) override;

 private:
  std::shared_ptr<const ChainShared> shared_;
  WorkerState state_;
  unsigned worker_;
};

// Prepares ChainShared per config snapshot (on start and on every reload, before the snapshot is
// published) and hands the proxy one TelemetryChain per worker.
class ChainFactory {
 public:
  explicit ChainFactory(events::EventPipeline* pipeline) : pipeline_(pipeline) {}

  // Builds the shared part for `config`; an error (unreadable UA regexes, bad geo database...)
  // means the config must be refused.
  Result<void> prepare(const config::ConfigPtr& config);

  // The chain for `config` (which must have been prepared) on worker `worker`.
  std::unique_ptr<Chain> make(const config::Config& config, unsigned worker);

  // Forgets prepared configs other than `keep` (after a reload has been published everywhere).
  void retainOnly(const config::Config* keep);

  // The hot-reloading geo database handle shared across config snapshots (may be null).
  std::shared_ptr<geo::GeoDatabase> geoDatabase() const;

 private:
  events::EventPipeline* pipeline_;
  mutable std::mutex mutex_;
  std::map<const config::Config*, std::shared_ptr<const ChainShared>> prepared_;
  std::shared_ptr<geo::GeoDatabase> geo_;
};

}  // namespace consentry::filters
