#include "proxy/health_checker.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "proxy/admin/metrics.h"
#include "proxy/lifecycle_log.h"
#include "proxy/upstream/health_state.h"
#include "proxy/upstream/pool.h"

namespace consentry::proxy {
namespace {

timeval toTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// The status code of a complete status line, 0 while incomplete, -1 when malformed.
int statusFrom(const std::string& received) {
  auto eol = received.find("\r\n");
  if (eol == std::string::npos) return received.size() > 1024 ? -1 : 0;
  if (eol < 12 || received.compare(0, 7, "HTTP/1.") != 0 || received[8] != ' ') return -1;
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    char c = received[i];
    if (c < '0' || c > '9') return -1;
    status = status * 10 + (c - '0');
  }
  return status;
}

}  // namespace

struct HealthChecker::Probe {
  Probe(const config::Upstream& upstream, const upstream::SocketAddress& address,
        const std::string& serverText, upstream::SharedHealth& health, size_t server)
      : check(*upstream.health),
        address(address),
        upstreamName(upstream.name),
        serverText(serverText),
        health(health),
        server(server),
        state(check.healthyThreshold, check.unhealthyThreshold),
        gauge(&admin::metrics().gauge("consentry_upstream_health",
                                      "1 when the active health check passes, else 0",
                                      {{"server", serverText}, {"upstream", upstream.name}})) {
    gauge->set(1);
    request = "GET " + check.path + " HTTP/1.1\r\nHost: " + serverText +
              "\r\nUser-Agent: consentry-health\r\nConnection: close\r\n\r\n";
  }
  ~Probe() {
    if (event_initialized(&timer)) event_del(&timer);
    closeSocket();
  }

  void start(event_base* base) {
    event_assign(&timer, base, -1, EV_PERSIST, &onTimer, this);
    timeval tv = toTimeval(check.interval);
    event_add(&timer, &tv);
    this->base = base;
    begin();
  }

  static void onTimer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Probe*>(arg);
    if (self->fd < 0) self->begin();  // a probe still running (timeout > interval) is not doubled
  }

  void begin() {
    bool connected = false;
    fd = upstream::openUpstreamSocket(address.get(), address.length, &connected);
    if (fd < 0) {
      finish(false);
      return;
    }
    received.clear();
    sent = false;
    event_assign(&io, base, fd, EV_WRITE, &onIo, this);
    timeval tv = toTimeval(check.timeout);
    event_add(&io, &tv);
  }

  static void onIo(evutil_socket_t, short what, void* arg) {
    auto* self = static_cast<Probe*>(arg);
    if (what & EV_TIMEOUT) {
      self->finish(false);
      return;
    }
    if (!self->sent) {
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(self->fd, SOL_SOCKET, SO_ERROR, &error, &length);
      ssize_t n = error == 0
                      ? ::send(self->fd, self->request.data(), self->request.size(), MSG_NOSIGNAL)
                      : -1;
      // The request is far below a socket buffer: a short send means a broken connection.
      if (n != static_cast<ssize_t>(self->request.size())) {
        self->finish(false);
        return;
      }
      self->sent = true;
      event_del(&self->io);
      event_assign(&self->io, self->base, self->fd, EV_READ | EV_PERSIST, &onIo, self);
      timeval tv = toTimeval(self->check.timeout);
      event_add(&self->io, &tv);
      return;
    }
    char buffer[2048];
    ssize_t n = ::read(self->fd, buffer, sizeof(buffer));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      self->finish(false);
      return;
    }
    self->received.append(buffer, static_cast<size_t>(n));
    int status = statusFrom(self->received);
    if (status == 0) return;
    self->finish(upstream::probeStatusPasses(status));
  }

  void closeSocket() {
    if (fd < 0) return;
    if (event_initialized(&io)) event_del(&io);
    ::close(fd);
    fd = -1;
  }

  void finish(bool passed) {
    closeSocket();
    auto transition = state.record(passed);
    if (transition == upstream::HealthState::Transition::None) return;
    const bool up = transition == upstream::HealthState::Transition::BecameHealthy;
    health.up[server].store(up, std::memory_order_relaxed);
    gauge->set(up ? 1 : 0);
    logLifecycle(up ? "info" : "warn", up ? "upstream server healthy" : "upstream server unhealthy",
                 {{"upstream", upstreamName}, {"server", serverText}, {"path", check.path}});
  }

  const config::HealthCheck& check;
  const upstream::SocketAddress& address;
  const std::string& upstreamName;
  const std::string& serverText;
  upstream::SharedHealth& health;
  size_t server;
  upstream::HealthState state;
  admin::Gauge* gauge;
  std::string request;
  std::string received;
  event_base* base = nullptr;
  event timer{};
  event io{};
  int fd = -1;
  bool sent = false;
};

HealthChecker::HealthChecker(std::shared_ptr<const Snapshot> snapshot)
    : snapshot_(std::move(snapshot)) {
  const auto& upstreams = snapshot_->config->upstreams;
  for (size_t u = 0; u < upstreams.size() && u < snapshot_->health.size(); ++u) {
    if (!upstreams[u].health) continue;
    for (size_t s = 0; s < snapshot_->servers[u].size(); ++s) {
      probes_.push_back(std::make_unique<Probe>(upstreams[u], snapshot_->servers[u][s],
                                                snapshot_->serverText[u][s], *snapshot_->health[u],
                                                s));
    }
  }
  if (probes_.empty()) return;
  base_ = event_base_new();
  for (auto& probe : probes_) probe->start(base_);
  thread_ = std::thread([base = base_] { event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY); });
}

HealthChecker::~HealthChecker() {
  if (base_ == nullptr) return;
  event_base_loopbreak(base_);
  thread_.join();
  probes_.clear();
  event_base_free(base_);
}

}  // namespace consentry::proxy
