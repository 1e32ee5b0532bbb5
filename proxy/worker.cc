#include "proxy/worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "proxy/admin/metrics.h"
#include "proxy/byte_buffer.h"
#include "proxy/connection.h"
#include "proxy/event_loop.h"
#include "proxy/http2/session.h"
#include "proxy/proxy_metrics.h"
#include "proxy/server.h"

namespace consentry::proxy {
namespace {
// Accepting in small batches keeps one busy listener from starving the connections it feeds.
constexpr int kAcceptBatch = 32;
// A TLS connection's first handshake step (key exchange, and a signature unless resumed) costs
// hundreds of microseconds and runs as soon as it is accepted: a batch of 32 made every connection
// already in progress wait for all of them. One per wakeup (as nginx does) lets the loop serve
// the ready connections between new handshakes; the listener stays ready, so none is lost.
constexpr int kTlsAcceptBatch = 1;
}  // namespace

Worker::Worker(unsigned index, Server& server, std::vector<ListenSocket> sockets)
    : index_(index), server_(server), base_(event_base_new()), sockets_(std::move(sockets)) {
  event_assign(&drainEvent_, base_, -1, 0, &onDrain, this);
  event_assign(&reapEvent_, base_, -1, 0, &onReap, this);
  event_assign(&adoptEvent_, base_, -1, 0, &onAdopt, this);
  // 250 ms: a burst's memory is back within half a second of its last request, while a steady
  // load (a request in every tick) is never trimmed.
  event_assign(&heapTick_, base_, -1, EV_PERSIST, &onHeapTick, this);
  const timeval heapTickInterval{0, 250'000};
  event_add(&heapTick_, &heapTickInterval);
  acceptArgs_.reserve(sockets_.size());
  for (size_t i = 0; i < sockets_.size(); ++i) {
    acceptArgs_.emplace_back(this, i);
    acceptEvents_.emplace_back(
        event_new(base_, sockets_[i].fd, EV_READ | EV_PERSIST, &onAccept, &acceptArgs_.back()),
        &event_free);
    event_add(acceptEvents_.back().get(), nullptr);
  }
}

Worker::~Worker() {
  join();
  std::vector<ClientConnection*> live;
  for (auto& [raw, owned] : connections_) live.push_back(raw);
  for (ClientConnection* c : live) c->abort();
  graveyard_.clear();
  handshakes_.clear();  // closes their sockets
  finishedHandshakes_.clear();
  acceptEvents_.clear();
  for (auto& s : sockets_) {
    if (s.fd >= 0) ::close(s.fd);
  }
  context_.reset();
  event_del(&drainEvent_);
  event_del(&reapEvent_);
  event_del(&adoptEvent_);
  event_del(&heapTick_);
  event_base_free(base_);
}

void Worker::start() {
  thread_ = std::thread([this] {
    admin::setMetricsShard(index_ + 1);
    // Named so that `top -H` and /proc/PID/task/*/comm tell the workers apart from the helpers.
    const std::string name = "csy-worker-" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.c_str());
    runEventLoop(base_, stopRequested_, busyPoll_);
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::drain() {
  drainRequested_.store(true);
  event_active(&drainEvent_, EV_READ, 0);
}

void Worker::stop() {
  // The flag, because a break that lands between two turns of the loop would be forgotten.
  stopRequested_.store(true);
  event_base_loopbreak(base_);
}

void Worker::adoptLatest() {
  event_active(&adoptEvent_, EV_READ, 0);
}

void Worker::onAdopt(evutil_socket_t, short, void* arg) {
  static_cast<Worker*>(arg)->context();
}

void Worker::onAccept(evutil_socket_t, short, void* arg) {
  auto* a = static_cast<std::pair<Worker*, size_t>*>(arg);
  a->first->accept(a->second);
}

void Worker::accept(size_t listener) {
  const int listenFd = sockets_[listener].fd;
  const int batch = sockets_[listener].tls ? kTlsAcceptBatch : kAcceptBatch;
  for (int i = 0; i < batch && !draining_; ++i) {
    sockaddr_storage peer{};
    socklen_t length = sizeof(peer);
    int fd = ::accept4(listenFd, reinterpret_cast<sockaddr*>(&peer), &length,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE...) retried on the next wakeup
    if (!server_.admit()) {
      ::close(fd);  // beyond max_connections
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto address = IpAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&peer));
    const IpAddress client = address ? address->unmapped() : IpAddress{};
    if (sockets_[listener].tls) {
      startHandshake(listener, fd, client);
    } else {
      // Cleartext: HTTP/1.1, which switches to HTTP/2 on the h2c preface where allowed.
      serve(std::make_unique<Connection>(*this, context(), ClientStream(fd, nullptr), client,
                                         sockets_[listener].http2));
    }
  }
}

void Worker::adopt(ClientStream stream, const IpAddress& peer, bool http2) {
  if (http2) {
    serve(std::make_unique<http2::Session>(*this, context(), std::move(stream), peer));
  } else {
    serve(std::make_unique<Connection>(*this, context(), std::move(stream), peer, false));
  }
}

void Worker::switchToHttp2(ClientConnection* from, ClientStream stream, const IpAddress& peer,
                           std::string_view received) {
  auto it = connections_.find(from);
  if (it == connections_.end()) return;
  graveyard_.push_back(std::move(it->second));
  connections_.erase(it);
  event_active(&reapEvent_, EV_READ, 0);
  // The same client in the same admission slot: no server_.leave() and admit() in between.
  serve(std::make_unique<http2::Session>(*this, context(), std::move(stream), peer, received));
}

void Worker::serve(std::unique_ptr<ClientConnection> connection) {
  ClientConnection* raw = connection.get();
  connections_.emplace(raw, std::move(connection));
  raw->start();
}

void Worker::startHandshake(size_t listener, int fd, const IpAddress& peer) {
  const auto& ctx = context();
  const auto& listeners = ctx->snapshot->tls;
  const tls::TlsListener* tlsListener =
      listener < listeners.size() ? listeners[listener].get() : nullptr;
  SslPtr ssl = tlsListener != nullptr ? tlsListener->accept(fd) : nullptr;
  if (!ssl) {
    ::close(fd);
    server_.leave();
    return;
  }
  auto handshake = std::make_unique<tls::TlsHandshake>(
      base_, fd, std::move(ssl), listeners[listener], peer, ctx->config.limits.headerTimeout,
      [this](tls::TlsHandshake& h, bool ok) { handshakeDone(h, ok); });
  tls::TlsHandshake* raw = handshake.get();
  handshakes_.emplace(raw, std::move(handshake));
  raw->start();
}

void Worker::handshakeDone(tls::TlsHandshake& handshake, bool ok) {
  auto it = handshakes_.find(&handshake);
  if (it == handshakes_.end()) return;
  finishedHandshakes_.push_back(std::move(it->second));
  handshakes_.erase(it);
  event_active(&reapEvent_, EV_READ, 0);
  if (!ok) {
    server_.leave();
    return;
  }
  ClientStream stream = handshake.takeStream();
  const bool http2 = stream.alpn() == "h2";
  adopt(std::move(stream), handshake.peer(), http2);
}

const std::shared_ptr<WorkerContext>& Worker::context() {
  uint64_t generation = server_.generation();
  if (!context_ || generation != generation_) {
    context_ =
        std::make_shared<WorkerContext>(server_.snapshot(), base_, index_, server_.chainFactory());
    generation_ = generation;
    // `auto` polls where halted vCPUs make wake-ups expensive, and yields a shared core.
    const bool automatic = context_->config.busyPollAuto;
    busyPoll_ = BusyPoll{automatic ? autoBusyPollWindow() : context_->config.busyPoll, automatic};
    adopted_.store(generation, std::memory_order_release);
  }
  return context_;
}

void Worker::release(ClientConnection* connection) {
  auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  graveyard_.push_back(std::move(it->second));
  connections_.erase(it);
  server_.leave();
  event_active(&reapEvent_, EV_READ, 0);
}

void Worker::onReap(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  self->graveyard_.clear();
  self->finishedHandshakes_.clear();
  if (self->draining_ && self->connections_.empty()) event_base_loopexit(self->base_, nullptr);
}

void Worker::onHeapTick(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Worker*>(arg);
  if (!self->heapPolicy_.tick(ProxyMetrics::get().requestsFinished())) return;
  ByteBuffer::dropCachedBlocks();
  releaseFreeHeap();
}

void Worker::onDrain(evutil_socket_t, short, void* arg) {
  static_cast<Worker*>(arg)->beginDrain();
}

void Worker::beginDrain() {
  if (draining_) return;
  draining_ = true;
  acceptEvents_.clear();
  for (auto& s : sockets_) {
    if (s.fd >= 0) ::close(s.fd);
    s.fd = -1;
  }
  std::vector<ClientConnection*> live;
  for (auto& [raw, owned] : connections_) live.push_back(raw);
  for (ClientConnection* c : live) c->drain();
  // A handshake in progress has no request yet: nothing to finish, close it like an idle client.
  for (size_t i = 0; i < handshakes_.size(); ++i) server_.leave();
  handshakes_.clear();
  if (connections_.empty()) event_base_loopexit(base_, nullptr);
}

}  // namespace consentry::proxy
