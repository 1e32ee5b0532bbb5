#include "proxy/server.h"

#include <event2/thread.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "proxy/health_checker.h"
#include "proxy/listen_socket.h"
#include "proxy/worker.h"

namespace consentry::proxy {

Server::Server(ChainFactory chainFactory) : chainFactory_(std::move(chainFactory)) {
  // Workers are poked from the main thread (drain, stop): libevent needs its locks for that.
  static const bool threadsReady = evthread_use_pthreads() == 0;
  (void)threadsReady;
}

Server::~Server() {
  for (auto& w : workers_) w->stop();
  workers_.clear();
}

Result<std::shared_ptr<const Snapshot>> Server::makeSnapshot(config::ConfigPtr config,
                                                             uint64_t generation) {
  auto snapshot = std::make_shared<Snapshot>();
  for (const auto& upstream : config->upstreams) {
    std::vector<upstream::SocketAddress> servers;
    std::vector<std::string> text;
    for (const auto& server : upstream.servers) {
      auto address = upstream::resolveAddress(server);
      if (!address) {
        return makeError("upstream " + upstream.name + ": " + address.error().message);
      }
      servers.push_back(*address);
      text.push_back(upstream::formatAddress(*address));
    }
    snapshot->health.push_back(std::make_shared<upstream::SharedHealth>(servers.size()));
    snapshot->servers.push_back(std::move(servers));
    snapshot->serverText.push_back(std::move(text));
  }
  snapshot->config = std::move(config);
  snapshot->generation = generation;
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

Result<void> Server::start(config::ConfigPtr config) {
  auto snapshot = makeSnapshot(config, 1);
  if (!snapshot) return snapshot.error();
  unsigned count = config->workers > 0 ? static_cast<unsigned>(config->workers)
                                       : std::max(1u, std::thread::hardware_concurrency());

  // Every worker gets its own socket per listener; a port 0 is fixed by the first bind so that
  // all workers share the same port.
  std::vector<std::vector<ListenSocket>> sockets(count);
  for (const auto& listener : config->listeners) {
    auto address = upstream::resolveAddress(listener.address);
    if (!address) {
      for (auto& list : sockets) {
        for (auto& s : list) ::close(s.fd);
      }
      return makeError("listener " + listener.address + ": " + address.error().message);
    }
    upstream::SocketAddress bindTo = *address;
    for (unsigned w = 0; w < count; ++w) {
      auto fd = openListenSocket(bindTo);
      if (!fd) {
        for (auto& list : sockets) {
          for (auto& s : list) ::close(s.fd);
        }
        return fd.error();
      }
      if (w == 0) {
        bindTo = boundAddress(*fd);
        bound_.push_back(upstream::formatAddress(bindTo));
      }
      sockets[w].push_back(ListenSocket{*fd, listener.tls.has_value()});
    }
  }
  maxConnections_.store(config->limits.maxConnections);
  snapshot_.store(*snapshot);
  generation_.store(1, std::memory_order_release);
  for (unsigned w = 0; w < count; ++w) {
    workers_.push_back(std::make_unique<Worker>(w, *this, std::move(sockets[w])));
  }
  for (auto& w : workers_) w->start();
  healthChecker_ = std::make_unique<HealthChecker>(*snapshot);
  return {};
}

Result<void> Server::reload(config::ConfigPtr config) {
  uint64_t generation = generation_.load() + 1;
  auto snapshot = makeSnapshot(std::move(config), generation);
  if (!snapshot) return snapshot.error();
  maxConnections_.store((*snapshot)->config->limits.maxConnections);
  snapshot_.store(*snapshot);
  generation_.store(generation, std::memory_order_release);
  for (auto& w : workers_) w->adoptLatest();
  // Reloads come from the main thread, like start(): the old checker's thread is joined here.
  healthChecker_.reset();
  healthChecker_ = std::make_unique<HealthChecker>(*snapshot);
  return {};
}

bool Server::awaitWorkersSwitched(Duration timeout) const {
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    bool all = true;
    for (const auto& w : workers_) all = all && w->adoptedGeneration() >= generation;
    if (all) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool Server::drain(Duration timeout) {
  for (auto& w : workers_) w->drain();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool finished = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (connections_.load() == 0) {
      finished = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  return finished;
}

}  // namespace consentry::proxy
