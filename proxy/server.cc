#include "proxy/server.h"

#include <event2/thread.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "proxy/health_checker.h"
#include "proxy/lifecycle_log.h"
#include "proxy/listen_socket.h"
#include "proxy/tls/tls_metrics.h"
#include "proxy/worker.h"

namespace consentry::proxy {
namespace {

// Expiry as a metric for alerting, and a warning when a certificate is already expired: it is
// still served (clients decide; an operator mid-renewal keeps the site up for those that accept).
void reportCertificates(const tls::TlsListener& listener) {
  const std::time_t now = std::time(nullptr);
  for (const auto& certificate : listener.certificates()) {
    tls::TlsMetrics::expiry(listener.name(), certificate.label(), certificate.notAfter);
    if (certificate.notAfter <= now) {
      logLifecycle("warn", "certificate expired",
                   {{"listener", listener.name()},
                    {"cert", certificate.certFile},
                    {"name", certificate.label()},
                    {"not_after", std::to_string(certificate.notAfter)}});
    }
  }
}

}  // namespace

Server::Server(ChainFactory chainFactory) : chainFactory_(std::move(chainFactory)) {
  // Workers are poked from the main thread (drain, stop): libevent needs its locks for that.
  static const bool threadsReady = evthread_use_pthreads() == 0;
  (void)threadsReady;
}

Server::~Server() {
  for (auto& w : workers_) w->stop();
  workers_.clear();
}

Result<std::shared_ptr<Snapshot>> Server::makeSnapshot(config::ConfigPtr config,
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
  return snapshot;
}

Result<void> Server::loadTls(Snapshot& snapshot) {
  const auto& listeners = snapshot.config->listeners;
  // The sockets stay those bound at start: a TLS one without its certificates would have to drop
  // every connection it accepts.
  for (size_t i = listeners.size(); i < listenerTls_.size(); ++i) {
    if (listenerTls_[i]) {
      return makeError(
          "a TLS listener was removed from the config: listener changes need a restart");
    }
  }
  snapshot.tls.assign(listeners.size(), nullptr);
  for (size_t i = 0; i < listeners.size(); ++i) {
    const config::Listener& listener = listeners[i];
    if (i < listenerTls_.size() && listenerTls_[i] != listener.tls.has_value()) {
      return makeError("listener " + listener.address + ": turning TLS on or off needs a restart");
    }
    if (!listener.tls) continue;
    if (ticketKeys_.size() <= i) ticketKeys_.resize(i + 1);
    if (!ticketKeys_[i]) {
      ticketKeys_[i] = std::make_shared<tls::TicketKeys>(listener.tls->ticketRotation);
    }
    auto loaded = tls::TlsListener::create(listener.address, *listener.tls,
                                           listener.http2 && Worker::kServesHttp2, ticketKeys_[i]);
    if (!loaded) return makeError("listener " + listener.address + ": " + loaded.error().message);
    snapshot.tls[i] = std::move(*loaded);
  }
  return {};
}

Result<std::shared_ptr<const Snapshot>> Server::prepare(config::ConfigPtr config) {
  auto snapshot = makeSnapshot(std::move(config), generation_.load() + 1);
  if (!snapshot) return snapshot.error();
  if (auto r = loadTls(**snapshot); !r) return r.error();
  return std::shared_ptr<const Snapshot>(std::move(*snapshot));
}

void Server::publish(std::shared_ptr<const Snapshot> snapshot) {
  for (size_t i = 0; i < snapshot->tls.size(); ++i) {
    if (!snapshot->tls[i]) continue;
    ticketKeys_[i]->setRotation(snapshot->config->listeners[i].tls->ticketRotation);
    reportCertificates(*snapshot->tls[i]);
  }
  maxConnections_.store(snapshot->config->limits.maxConnections);
  const uint64_t generation = snapshot->generation;
  snapshot_.store(snapshot);
  generation_.store(generation, std::memory_order_release);
  for (auto& w : workers_) w->adoptLatest();
  // Reloads come from the main thread, like start(): the old checker's thread is joined here.
  healthChecker_.reset();
  healthChecker_ = std::make_unique<HealthChecker>(std::move(snapshot));
}

Result<void> Server::start(const config::ConfigPtr& config) {
  auto snapshot = prepare(config);
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
      sockets[w].push_back(ListenSocket{*fd, listener.tls.has_value(), listener.http2});
    }
  }
  for (const auto& listener : config->listeners) listenerTls_.push_back(listener.tls.has_value());
  publish(*snapshot);
  for (unsigned w = 0; w < count; ++w) {
    workers_.push_back(std::make_unique<Worker>(w, *this, std::move(sockets[w])));
  }
  for (auto& w : workers_) w->start();
  return {};
}

Result<void> Server::reload(config::ConfigPtr config) {
  auto snapshot = prepare(std::move(config));
  if (!snapshot) return snapshot.error();
  publish(std::move(*snapshot));
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
