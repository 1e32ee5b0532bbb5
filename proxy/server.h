#pragma once
// The proxy runtime: binds every listener once per worker (SO_REUSEPORT), runs one Worker thread
// per core, publishes config snapshots (reload) and drains on shutdown. The telemetry chain is
// plugged in through a factory so the proxy knows filters only through filters/chain.h.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/units.h"
#include "config/config.h"
#include "proxy/worker_context.h"

namespace consentry::admin {
class AccessLog;
}  // namespace consentry::admin

namespace consentry::proxy {

class Worker;
class HealthChecker;

class Server {
 public:
  // `chainFactory` may be empty: requests are then forwarded without telemetry.
  explicit Server(ChainFactory chainFactory = {});
  ~Server();

  // Resolves upstream server addresses; fails on a name that does not resolve.
  static Result<std::shared_ptr<Snapshot>> makeSnapshot(config::ConfigPtr config,
                                                        uint64_t generation);

  // Binds all listeners (errors name the address) and starts the workers.
  Result<void> start(const config::ConfigPtr& config);
  // Publishes a new snapshot and asks every worker to switch to it; new connections use it, live
  // ones keep theirs. Listener changes need a restart.
  Result<void> reload(config::ConfigPtr config);
  // True once every worker has switched to the current snapshot (false after `timeout`): from
  // then on nothing will build anything from an older one.
  bool awaitWorkersSwitched(Duration timeout) const;
  // reload() in two steps, so that the caller can refuse a config before anything else sees it:
  // prepare() resolves upstreams and loads every TLS certificate and key again (also when the
  // YAML did not change: files replaced in place); publish() makes the result current.
  Result<std::shared_ptr<const Snapshot>> prepare(config::ConfigPtr config);
  void publish(std::shared_ptr<const Snapshot> snapshot);
  // Stops accepting, closes idle connections and waits for in-flight ones up to `timeout`, then
  // stops every worker. True when everything finished in time.
  bool drain(Duration timeout);

  std::shared_ptr<const Snapshot> snapshot() const { return snapshot_.load(); }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  const ChainFactory& chainFactory() const { return chainFactory_; }
  // Bound addresses ("127.0.0.1:8080"), with the real port when the config said 0.
  const std::vector<std::string>& boundAddresses() const { return bound_; }
  // Set before start(); may be null (no access log).
  void setAccessLog(admin::AccessLog* log) { accessLog_ = log; }
  admin::AccessLog* accessLog() const { return accessLog_; }
  unsigned workerCount() const { return static_cast<unsigned>(workers_.size()); }

  // max_connections across all workers.
  bool admit() {
    uint32_t limit = maxConnections_.load(std::memory_order_relaxed);
    if (connections_.fetch_add(1, std::memory_order_relaxed) >= limit) {
      connections_.fetch_sub(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  }
  void leave() { connections_.fetch_sub(1, std::memory_order_relaxed); }

 private:
  // Builds snapshot.tls from its config (certificate files are read here).
  Result<void> loadTls(Snapshot& snapshot);

  ChainFactory chainFactory_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint32_t> maxConnections_{0};
  std::atomic<uint32_t> connections_{0};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<HealthChecker> healthChecker_;  // probes the current snapshot's servers
  std::vector<std::string> bound_;
  // Per listener, fixed at start(): whether its sockets speak TLS, and its ticket keys (kept across
  // reloads so that sessions resume after one).
  std::vector<bool> listenerTls_;
  std::vector<std::shared_ptr<tls::TicketKeys>> ticketKeys_;
  admin::AccessLog* accessLog_ = nullptr;
};

}  // namespace consentry::proxy
