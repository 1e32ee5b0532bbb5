#pragma once
// What one worker needs to serve requests under one config snapshot: the snapshot itself, its
// routes, per-upstream balancers and keep-alive pools, and the worker's telemetry chain. A
// connection holds the context it started with, so a reload never changes a live connection.

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "filters/chain.h"
#include "proxy/http1/parser.h"
#include "proxy/tls/tls_listener.h"
#include "proxy/upstream/address.h"
#include "proxy/upstream/balancer.h"
#include "proxy/upstream/pool.h"
#include "proxy/upstream/router.h"

namespace consentry::proxy {

using ChainFactory =
    std::function<std::unique_ptr<filters::Chain>(const config::Config&, unsigned worker)>;

// Built once per published config, shared by all workers (read-only after construction).
struct Snapshot {
  config::ConfigPtr config;
  std::vector<std::vector<upstream::SocketAddress>> servers;    // per upstream, per server
  std::vector<std::vector<std::string>> serverText;             // "1.2.3.4:80", for logs
  std::vector<std::shared_ptr<upstream::SharedHealth>> health;  // per upstream
  // Per listener, in config order: its certificates and TLS settings, null for cleartext.
  std::vector<std::shared_ptr<const tls::TlsListener>> tls;
  uint64_t generation = 0;
};

struct UpstreamRuntime {
  UpstreamRuntime(const config::Upstream& config,
                  const std::vector<upstream::SocketAddress>& servers,
                  const std::vector<std::string>& serverText,
                  std::shared_ptr<const upstream::SharedHealth> health, event_base* base)
      : config(config),
        servers(servers),
        serverText(serverText),
        balancer(config, std::move(health)),
        pool(base, servers.size(), config.keepalive, config.timeouts.idle) {}
  const config::Upstream& config;
  const std::vector<upstream::SocketAddress>& servers;
  const std::vector<std::string>& serverText;
  upstream::Balancer balancer;
  upstream::ConnectionPool pool;
};

struct WorkerContext {
  WorkerContext(std::shared_ptr<const Snapshot> snapshot, event_base* base, unsigned worker,
                const ChainFactory& chainFactory)
      : snapshot(std::move(snapshot)), config(*this->snapshot->config), router(config) {
    for (size_t i = 0; i < config.upstreams.size(); ++i) {
      upstreams.push_back(std::make_unique<UpstreamRuntime>(
          config.upstreams[i], this->snapshot->servers[i], this->snapshot->serverText[i],
          this->snapshot->health[i], base));
    }
    if (chainFactory) chain = chainFactory(config, worker);
    limits.maxHeaderBytes = config.limits.maxHeaderBytes;
    limits.maxHeaders = config.limits.maxHeaders;
    limits.maxUriBytes = config.limits.maxUriBytes;
  }
  std::shared_ptr<const Snapshot> snapshot;
  const config::Config& config;
  upstream::Router router;
  std::vector<std::unique_ptr<UpstreamRuntime>> upstreams;
  std::unique_ptr<filters::Chain> chain;
  http1::Limits limits;
};

}  // namespace consentry::proxy
