#include "proxy/connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "proxy/admin/access_log.h"
#include "proxy/forwarding.h"
#include "proxy/http_text.h"
#include "proxy/proxy_metrics.h"
#include "proxy/server.h"
#include "proxy/worker.h"

namespace consentry::proxy {
namespace {

// Above this many bytes queued towards one side, stop reading from the other.
constexpr size_t kHighWater = 256 * 1024;
constexpr size_t kReadChunk = 16 * 1024;

timeval toTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

bool isIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE";
}

// Reads what is available into `buffer`; returns bytes read, 0 on EOF, -1 on EAGAIN, -2 on error.
ssize_t readInto(int fd, ByteBuffer& buffer) {
  char* p = buffer.prepare(kReadChunk);
  ssize_t n = ::read(fd, p, buffer.tailroom());
  if (n > 0) {
    buffer.commit(static_cast<size_t>(n));
    return n;
  }
  if (n == 0) return 0;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
}

// Writes as much of `buffer` as the socket takes; false on a hard error.
bool writeFrom(int fd, ByteBuffer& buffer, uint64_t& written) {
  while (!buffer.empty()) {
    ssize_t n = ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
    if (n > 0) {
      buffer.consume(static_cast<size_t>(n));
      written += static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
  return true;
}

void appendChunkSize(ByteBuffer& out, size_t n) {
  char hex[20];
  auto [end, ec] = std::to_chars(hex, hex + sizeof(hex), n, 16);
  (void)ec;
  out.append(std::string_view(hex, static_cast<size_t>(end - hex)));
  out.append("\r\n");
}

}  // namespace

Connection::Connection(Worker& worker, std::shared_ptr<WorkerContext> context, ClientStream stream,
                       const IpAddress& peer)
    : worker_(worker),
      context_(std::move(context)),
      stream_(std::move(stream)),
      peer_(peer),
      tls_(stream_.secure()) {
  const int fd = stream_.fd();
  event_assign(&readEvent_, worker_.base(), fd, EV_READ | EV_PERSIST, &onClientRead, this);
  event_assign(&writeEvent_, worker_.base(), fd, EV_WRITE | EV_PERSIST, &onClientWrite, this);
  evtimer_assign(&timer_, worker_.base(), &onTimer, this);
  ProxyMetrics::get().connections.add(1);
}

Connection::~Connection() {
  if (!closed_) close();
}

void Connection::start() {
  reading_ = true;
  event_add(&readEvent_, nullptr);
  armTimer(Timer::Header, context_->config.limits.headerTimeout);
  // The first request is usually already there: try before waiting for a readiness event.
  readClient();
}

void Connection::drain() {
  draining_ = true;
  if (state_ == State::Head && in_.empty() && out_.empty()) close();
}

// ---- event entry points ----

void Connection::onClientRead(evutil_socket_t, short, void* arg) {
  static_cast<Connection*>(arg)->readClient();
}

void Connection::onClientWrite(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Connection*>(arg);
  self->flush();
}

void Connection::onUpstreamRead(evutil_socket_t, short, void* arg) {
  static_cast<Connection*>(arg)->readUpstream();
}

void Connection::onUpstreamWrite(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Connection*>(arg);
  if (self->state_ == State::Connecting) {
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(self->up_->fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      self->upstreamFailed(Failure::ConnectRefused);
      return;
    }
    self->upstreamConnected();
    return;
  }
  self->flush();
}

void Connection::onTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Connection*>(arg);
  Timer kind = self->timerKind_;
  self->timerKind_ = Timer::None;
  switch (kind) {
    case Timer::Idle:
      self->close();
      return;
    case Timer::Header:
      if (self->in_.empty()) {
        self->close();  // an idle keep-alive connection: close silently
      } else {
        self->sendError(408, true);
      }
      return;
    case Timer::Connect:
      self->upstreamFailed(Failure::ConnectTimeout);
      return;
    case Timer::Response:
      self->upstreamFailed(Failure::Timeout);
      return;
    case Timer::None:
      return;
  }
}

// ---- client side ----

void Connection::readClient() {
  if (closed_) return;
  if (state_ == State::Tunnel) {
    ssize_t n = stream_.read(upOut_);
    if (n == 0 || n == -2) {
      clientEof_ = true;
      state_ = State::Closing;
    }
    flush();
    return;
  }
  while (!clientEof_) {
    ssize_t n = stream_.read(in_);
    if (n == -1) break;
    if (n == -2) {
      close();
      return;
    }
    if (n == 0) {
      clientEof_ = true;
      break;
    }
    if (static_cast<size_t>(n) < kReadChunk || in_.size() >= kHighWater) break;
  }
  const bool uploading = state_ == State::Forwarding && !requestDone_;
  process();
  if (closed_) return;
  if (uploading && state_ == State::Forwarding) {
    // Body bytes are progress: body_timeout counts from the last one, response from the end.
    armTimer(Timer::Response, requestDone_ ? upstream_->config.timeouts.response
                                           : context_->config.limits.bodyTimeout);
  }
  if (clientEof_ && state_ == State::Head) {
    // Nothing in flight: a half-close from the client ends the connection once we have answered.
    state_ = State::Closing;
  }
  if (clientEof_ &&
      (state_ == State::LocalBody ||
       ((state_ == State::Connecting || state_ == State::Forwarding) && !requestDone_))) {
    // The client went away in the middle of its request body.
    close();
    return;
  }
  flush();
}

void Connection::process() {
  while (!closed_) {
    switch (state_) {
      case State::Head: {
        if (in_.empty()) return;
        if (completionPending_) {
          // Responses are written in order: the previous one must be out before the next begins.
          if (!flushClient() || completionPending_) return;
        }
        auto result = http1::parseRequest(in_.view(), context_->limits, request_);
        if (result.status == http1::Status::Incomplete) {
          if (clientEof_) {
            state_ = State::Closing;  // a partial head will never be completed
            return;
          }
          if (timerKind_ != Timer::Header) {
            armTimer(Timer::Header, context_->config.limits.headerTimeout);
          }
          return;
        }
        if (result.status == http1::Status::Error) {
          ProxyMetrics::get().badRequest(http1::errorName(result.error));
          sendError(http1::httpStatusFor(result.error), true);
          return;
        }
        startRequest();
        break;
      }
      case State::LocalBody:
        if (!pumpRequestBody()) return;
        if (!requestDone_) return;
        finishLocal();
        break;
      case State::Connecting:
        return;
      case State::Forwarding:
        pumpRequestBody();
        return;
      case State::Tunnel:
      case State::Closing:
        return;
    }
  }
}

void Connection::startRequest() {
  const auto& config = context_->config;
  started_ = std::chrono::steady_clock::now();
  method_.assign(request_.method);
  http10_ = request_.versionMinor == 0;
  keepAlive_ = request_.keepAlive && !draining_ && !worker_.draining();
  idempotent_ = isIdempotent(request_.method);
  expectContinue_ = request_.expectContinue && !http10_;
  upgrade_ = request_.upgrade;
  requestBody_ = request_.body;
  requestRemaining_ = request_.contentLength;
  requestBodyBytes_ = 0;
  requestDone_ = requestBody_ == http1::BodyKind::None ||
                 (requestBody_ == http1::BodyKind::Length && requestRemaining_ == 0);
  bodyStarted_ = false;
  headSent_ = false;
  closeAfter_ = false;
  dechunk_ = false;
  sentContinue_ = false;
  status_ = 0;
  triedServers_ = 0;
  attempts_ = 0;
  requestChunks_.reset();
  if (timerKind_ == Timer::Header || timerKind_ == Timer::Idle) {
    event_del(&timer_);
    timerKind_ = Timer::None;
  }

  if (requestBody_ == http1::BodyKind::Length && requestRemaining_ > config.limits.maxBodyBytes) {
    ProxyMetrics::get().badRequest("body_too_large");
    sendError(413, true);
    return;
  }

  const bool peerTrusted =
      !config.trustedProxies.empty() && isTrusted(peer_, config.trustedProxies);
  server_ = -1;
  upstream_ = nullptr;
  outMark_ = written_ + out_.size();
  admin::AccessLog* log = worker_.server().accessLog();
  if (log != nullptr && log->enabled()) {
    arrived_ = std::chrono::system_clock::now();
    target_.assign(request_.target);
    client_ = peerTrusted ? resolveClientIp(peer_, request_.headers, config.trustedProxies) : peer_;
  }
  if (context_->chain) {
    filters::RequestInfo info;
    info.method = request_.method;
    info.target = request_.target;
    info.host = request_.host;
    info.scheme = tls_ ? "https" : "http";
    info.protocol = http10_ ? "HTTP/1.0" : "HTTP/1.1";
    info.headers = request_.headers;
    info.peer = peer_;
    info.client =
        peerTrusted ? resolveClientIp(peer_, request_.headers, config.trustedProxies) : peer_;
    info.time = std::chrono::system_clock::now();
    info.worker = worker_.index();
    exchange_ = context_->chain->begin(info);
    if (exchange_ && exchange_->isLocal()) {
      startLocal();
      return;
    }
  }

  std::string_view path = request_.target;
  int upstreamIndex = context_->router.match(request_.host, path);
  if (upstreamIndex < 0) {
    in_.consume(request_.headBytes);
    sendError(context_->upstreams.empty() ? 502 : 404, !requestDone_);
    return;
  }
  upstream_ = context_->upstreams[static_cast<size_t>(upstreamIndex)].get();

  // The upstream request head: request line, end-to-end headers, our framing and forwarding.
  upHead_.clear();
  upHead_.append(request_.method).append(" ").append(request_.target).append(" HTTP/1.1\r\n");
  auto tokens = ConnectionTokens::from(request_.headers);
  for (const auto& h : request_.headers) {
    if (isHopByHop(h.name, tokens) || isForwardingHeader(h.name)) continue;
    if (h.name.size() == 6 && equalsIgnoreCase(h.name, "expect")) continue;
    upHead_.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (request_.host.empty() && !upstream_->serverText.empty()) {
    // HTTP/1.0 without Host: the upstream request is HTTP/1.1, which requires one.
    upHead_.append("Host: ").append(upstream_->serverText.front()).append("\r\n");
  }
  if (requestBody_ == http1::BodyKind::Chunked) upHead_.append("Transfer-Encoding: chunked\r\n");
  if (upgrade_) {
    if (const auto* u = findHeader(request_.headers, "upgrade")) {
      upHead_.append("Upgrade: ").append(u->value).append("\r\n");
    }
    upHead_.append("Connection: upgrade\r\n");
  }
  ForwardInfo forward{peer_, peerTrusted, tls_ ? "https" : "http", request_.host};
  appendForwardingHeaders(upHead_, request_.headers, forward);
  upHead_.append("\r\n");
  in_.consume(request_.headBytes);  // the request's views die here

  state_ = State::Connecting;
  connectUpstream();
}

void Connection::startLocal() {
  in_.consume(request_.headBytes);
  if (requestBody_ == http1::BodyKind::Length && requestRemaining_ > exchange_->bodyLimit()) {
    sendError(413, true);
    return;
  }
  localBody_.clear();
  if (expectContinue_ && !requestDone_) {
    out_.append("HTTP/1.1 100 Continue\r\n\r\n");
  }
  state_ = State::LocalBody;
}

void Connection::finishLocal() {
  exchange_->onRequestBody(localBody_);
  filters::LocalResponse response = exchange_->localResponse();
  appendStatusLine(out_, response.status, {});
  for (const auto& [name, value] : response.headers) {
    out_.append(name);
    out_.append(": ");
    out_.append(value);
    out_.append("\r\n");
  }
  appendContentLength(out_, response.body.size());
  closeAfter_ = !keepAlive_ || draining_ || worker_.draining();
  if (closeAfter_) out_.append("Connection: close\r\n");
  out_.append("\r\n");
  if (method_ != "HEAD") out_.append(response.body);
  localBody_.clear();
  finishExchange(response.status);
}

// ---- request body ----

bool Connection::pumpRequestBody() {
  // In LocalBody the body goes to localBody_, else to the upstream's output buffer.
  const bool local = state_ == State::LocalBody;
  while (!requestDone_ && !in_.empty() && (local || upOut_.size() < kHighWater)) {
    if (requestBody_ == http1::BodyKind::Length) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(requestRemaining_, in_.size()));
      if (local) {
        localBody_.append(in_.data(), n);
      } else {
        upOut_.append(std::string_view(in_.data(), n));
      }
      in_.consume(n);
      requestRemaining_ -= n;
      requestBodyBytes_ += n;
      bodyStarted_ = true;
      if (requestRemaining_ == 0) requestDone_ = true;
      continue;
    }
    auto step = requestChunks_.decode(in_.view());
    if (step.status == http1::Status::Error) {
      ProxyMetrics::get().badRequest(http1::errorName(step.error));
      if (!headSent_) {
        sendError(http1::httpStatusFor(step.error), true);
      } else {
        close();
      }
      return false;
    }
    if (!step.data.empty()) {
      requestBodyBytes_ += step.data.size();
      uint64_t limit = local ? exchange_->bodyLimit() : context_->config.limits.maxBodyBytes;
      if (requestBodyBytes_ > limit) {
        ProxyMetrics::get().badRequest("body_too_large");
        if (!headSent_) {
          sendError(413, true);
        } else {
          close();
        }
        return false;
      }
      if (local) {
        localBody_.append(step.data);
      } else {
        appendChunkSize(upOut_, step.data.size());
        upOut_.append(step.data);
        upOut_.append("\r\n");
      }
    }
    bodyStarted_ = true;
    in_.consume(step.consumed);
    if (step.status == http1::Status::Complete) {
      requestDone_ = true;
      if (!local) {
        upOut_.append("0\r\n");
        upOut_.append(requestChunks_.trailers());
        upOut_.append("\r\n");
      }
    } else if (step.consumed == 0) {
      break;  // need more input
    }
  }
  if (local && requestBodyBytes_ > exchange_->bodyLimit()) {
    sendError(413, true);
    return false;
  }
  return true;
}

// ---- upstream side ----

void Connection::connectUpstream() {
  const auto now = upstream::Clock::now();
  int server = upstream_->balancer.pick(now, triedServers_);
  if (server < 0) {
    sendError(502, true);
    return;
  }
  ++attempts_;
  server_ = server;
  if (server < 64) triedServers_ |= uint64_t{1} << server;
  upstream_->balancer.onStart(server);
  upstreamBytes_ = false;
  auto conn = upstream_->pool.take(server);
  bool connected = true;
  if (!conn) {
    const auto& address = upstream_->servers[static_cast<size_t>(server)];
    int fd = upstream::openUpstreamSocket(address.get(), address.length, &connected);
    if (fd < 0) {
      upstream_->balancer.onEnd(server);
      upstream_->balancer.onFailure(server, now);
      ProxyMetrics::get().upstreamError(upstream_->config.name, "connect");
      if (idempotent_ && attempts_ <= upstream_->config.retries) {
        connectUpstream();
      } else {
        sendError(502, true);
      }
      return;
    }
    conn = std::make_unique<upstream::UpstreamConn>(fd, server);
  }
  up_ = std::move(conn);
  upReading_ =
      upstream::attachUpstreamConn(*up_, worker_.base(), &onUpstreamRead, &onUpstreamWrite, this);
  upWriting_ = false;
  if (connected) {
    upstreamConnected();
    return;
  }
  upWriting_ = true;
  event_add(&up_->writeEvent, nullptr);
  armTimer(Timer::Connect, upstream_->config.timeouts.connect);
}

void Connection::upstreamConnected() {
  state_ = State::Forwarding;
  upIn_.clear();
  upOut_.clear();
  upOut_.append(upHead_);
  if (expectContinue_ && !requestDone_ && !sentContinue_ && in_.empty()) {
    // We read the body ourselves, so the client's wait for 100 ends here rather than upstream.
    out_.append("HTTP/1.1 100 Continue\r\n\r\n");
    sentContinue_ = true;
  }
  pumpRequestBody();
  if (closed_) return;
  armTimer(Timer::Response, requestDone_ ? upstream_->config.timeouts.response
                                         : context_->config.limits.bodyTimeout);
  flush();
}

void Connection::upstreamFailed(Failure failure) {
  if (closed_) return;
  const auto now = upstream::Clock::now();
  const int server = up_ ? up_->server : -1;
  const bool stale = failure == Failure::Stale;
  if (server >= 0) {
    upstream_->balancer.onEnd(server);
    if (!stale) upstream_->balancer.onFailure(server, now);
  }
  up_.reset();
  upReading_ = upWriting_ = false;
  if (timerKind_ == Timer::Connect || timerKind_ == Timer::Response) {
    event_del(&timer_);
    timerKind_ = Timer::None;
  }
  const char* reason = "reset";
  switch (failure) {
    case Failure::ConnectRefused:
      reason = "connect";
      break;
    case Failure::ConnectTimeout:
      reason = "connect_timeout";
      break;
    case Failure::Stale:
      reason = "stale";
      break;
    case Failure::Reset:
      reason = "reset";
      break;
    case Failure::Timeout:
      reason = "timeout";
      break;
    case Failure::BadResponse:
      reason = "bad_response";
      break;
  }
  ProxyMetrics::get().upstreamError(upstream_->config.name, reason);

  const bool neverSent =
      failure == Failure::ConnectRefused || failure == Failure::ConnectTimeout || stale;
  if (neverSent && idempotent_ && !bodyStarted_ && !headSent_) {
    if (stale) {
      --attempts_;  // a dead pooled connection is not the server's failure
      if (server >= 0 && server < 64) triedServers_ &= ~(uint64_t{1} << server);
    }
    if (attempts_ <= upstream_->config.retries) {
      state_ = State::Connecting;
      connectUpstream();
      return;
    }
  }
  if (headSent_) {
    close();  // the client already has part of a response: only a reset tells it
    return;
  }
  const bool timeout = failure == Failure::ConnectTimeout || failure == Failure::Timeout;
  sendError(timeout ? 504 : 502, true);
}

void Connection::readUpstream() {
  if (closed_ || !up_) return;
  if (state_ == State::Closing) {
    // A tunnel whose client left: whatever the upstream still sends has nowhere to go.
    releaseUpstream(false);
    flush();
    return;
  }
  ByteBuffer& target = state_ == State::Tunnel ? out_ : upIn_;
  ssize_t n = 0;
  while (true) {
    n = readInto(up_->fd, target);
    if (n > 0) upstreamBytes_ = true;
    if (n <= 0 || static_cast<size_t>(n) < kReadChunk || target.size() >= kHighWater) break;
  }
  if (state_ == State::Tunnel) {
    if (n == 0 || n == -2) {
      releaseUpstream(false);
      state_ = State::Closing;
    }
    flush();
    return;
  }
  if (n == 0 || n == -2) {
    // End of the upstream connection.
    if (!headSent_ && upIn_.empty() && status_ == 0) {
      upstreamFailed(up_->reused && !upstreamBytes_ ? Failure::Stale : Failure::Reset);
      return;
    }
    if (status_ != 0 && response_.body == http1::BodyKind::UntilClose) {
      processResponse();
      if (closed_) return;
      releaseUpstream(false);
      finishResponse();
      flush();
      return;
    }
    processResponse();
    if (closed_) return;
    if (up_) {
      // The response was cut short.
      if (headSent_) {
        close();
      } else {
        upstreamFailed(Failure::BadResponse);
      }
      return;
    }
    flush();
    return;
  }
  processResponse();
  if (closed_) return;
  if (up_ && status_ != 0) {
    // A response body still streaming: the timeout counts from the last byte received.
    armTimer(Timer::Response, upstream_->config.timeouts.response);
  }
  flush();
}

void Connection::processResponse() {
  while (up_ && !closed_) {
    if (status_ == 0) {
      if (upIn_.empty()) return;
      auto result = http1::parseResponse(upIn_.view(), context_->limits, method_, response_);
      if (result.status == http1::Status::Incomplete) return;
      if (result.status == http1::Status::Error) {
        upstreamFailed(Failure::BadResponse);
        return;
      }
      upstreamBytes_ = true;
      const int status = response_.status;
      if (status >= 100 && status < 200 && status != 101) {
        // Interim responses: ours already went out for 100; others are relayed to 1.1 clients.
        if (!(status == 100 && sentContinue_) && !http10_) {
          out_.append(std::string_view(upIn_.data(), response_.headBytes));
        }
        upIn_.consume(response_.headBytes);
        continue;
      }
      status_ = status;
      if (status == 101) {
        if (!upgrade_) {
          status_ = 0;
          upstreamFailed(Failure::BadResponse);
          return;
        }
        enterTunnel();
        return;
      }
      upstream_->balancer.onSuccess(up_->server);
      writeResponseHead();
      upIn_.consume(response_.headBytes);
      responseRemaining_ = response_.contentLength;
      responseChunks_.reset();
    }
    // Body.
    switch (response_.body) {
      case http1::BodyKind::None:
        break;
      case http1::BodyKind::Length: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(responseRemaining_, upIn_.size()));
        out_.append(std::string_view(upIn_.data(), n));
        upIn_.consume(n);
        responseRemaining_ -= n;
        if (responseRemaining_ > 0) return;
        break;
      }
      case http1::BodyKind::Chunked: {
        bool complete = false;
        while (!upIn_.empty() && out_.size() < kHighWater) {
          auto step = responseChunks_.decode(upIn_.view());
          if (step.status == http1::Status::Error) {
            close();
            return;
          }
          if (dechunk_) {
            out_.append(step.data);
          } else {
            out_.append(std::string_view(upIn_.data(), step.consumed));
          }
          upIn_.consume(step.consumed);
          if (step.status == http1::Status::Complete) {
            complete = true;
            break;
          }
          if (step.consumed == 0) break;
        }
        if (!complete) return;
        break;
      }
      case http1::BodyKind::UntilClose:
        out_.append(upIn_.view());
        upIn_.clear();
        return;  // ends with the upstream's EOF
    }
    finishResponse();
    return;
  }
}

void Connection::writeResponseHead() {
  filters::ResponseEdits edits;
  if (exchange_) exchange_->onResponseHeaders(response_.status, response_.headers, edits);
  closeAfter_ = !keepAlive_ || !requestDone_ || draining_ || worker_.draining();
  dechunk_ = response_.body == http1::BodyKind::Chunked && http10_;
  if (response_.body == http1::BodyKind::UntilClose || dechunk_) closeAfter_ = true;

  appendStatusLine(out_, response_.status, response_.reason);
  auto tokens = ConnectionTokens::from(response_.headers);
  for (size_t i = 0; i < response_.headers.size(); ++i) {
    const auto& h = response_.headers[i];
    if (isHopByHop(h.name, tokens)) continue;
    if (!edits.removeHeaders.empty()) {
      bool removed = false;
      for (size_t r : edits.removeHeaders) removed = removed || r == i;
      if (removed) continue;
    }
    out_.append(h.name);
    out_.append(": ");
    out_.append(h.value);
    out_.append("\r\n");
  }
  for (const auto& [name, value] : edits.addHeaders) {
    out_.append(name);
    out_.append(": ");
    out_.append(value);
    out_.append("\r\n");
  }
  if (response_.body == http1::BodyKind::Chunked && !dechunk_) {
    out_.append("Transfer-Encoding: chunked\r\n");
  }
  if (closeAfter_) {
    out_.append("Connection: close\r\n");
  } else if (http10_) {
    out_.append("Connection: keep-alive\r\n");
  }
  out_.append("\r\n");
  headSent_ = true;
}

void Connection::enterTunnel() {
  // The 101 goes to the client as received, Upgrade and Connection included.
  out_.append(std::string_view(upIn_.data(), response_.headBytes));
  upIn_.consume(response_.headBytes);
  out_.append(upIn_.view());
  upIn_.clear();
  upOut_.append(in_.view());  // bytes the client sent after its request head
  in_.clear();
  headSent_ = true;
  if (timerKind_ != Timer::None) {
    event_del(&timer_);
    timerKind_ = Timer::None;
  }
  state_ = State::Tunnel;
  finishExchange(101);
  state_ = State::Tunnel;
  flush();
}

void Connection::finishResponse() {
  if (timerKind_ == Timer::Response) {
    event_del(&timer_);
    timerKind_ = Timer::None;
  }
  const bool reusable = response_.keepAlive && requestDone_ && upIn_.empty() &&
                        response_.body != http1::BodyKind::UntilClose;
  releaseUpstream(reusable);
  finishExchange(status_);
}

void Connection::releaseUpstream(bool reusable) {
  if (!up_) return;
  upstream_->balancer.onEnd(up_->server);
  if (reusable) {
    upReading_ = upWriting_ = false;
    upstream_->pool.put(std::move(up_));
  } else {
    up_.reset();
  }
  upReading_ = upWriting_ = false;
}

void Connection::finishExchange(int status) {
  if (completionPending_) completeExchange(written_ >= completionMark_);  // not expected: defensive
  completionPending_ = true;
  completionStatus_ = status;
  completionMark_ = written_ + out_.size();
  if (out_.empty()) completeExchange(true);
  if (state_ == State::Tunnel) return;
  if (closeAfter_) {
    state_ = State::Closing;
    return;
  }
  state_ = State::Head;
  if (in_.empty()) {
    armTimer(Timer::Idle, context_->config.limits.idleTimeout);
    if (clientEof_) state_ = State::Closing;
  }
}

void Connection::completeExchange(bool delivered) {
  completionPending_ = false;
  const int status = completionStatus_;
  auto& metrics = ProxyMetrics::get();
  metrics.requests(status).inc();
  metrics.duration.observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
  admin::AccessLog* log = worker_.server().accessLog();
  if (log != nullptr && log->enabled()) {
    admin::AccessLogEntry entry;
    entry.time = arrived_;
    entry.client = client_;
    entry.method = method_;
    entry.target = target_;
    entry.protocol = http10_ ? "HTTP/1.0" : "HTTP/1.1";
    entry.status = status;
    entry.bytesSent = std::min(written_, completionMark_) - outMark_;
    entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started_);
    if (upstream_ != nullptr && server_ >= 0) {
      entry.upstream = upstream_->serverText[static_cast<size_t>(server_)];
    }
    log->record(worker_.index(), entry);
  }
  if (exchange_) {
    // A response the client never fully received did not happen, for telemetry.
    exchange_->onComplete(delivered ? status : 0);
    exchange_.reset();
  }
}

// ---- errors, output and lifetime ----

void Connection::sendError(int status, bool closeConnection) {
  if (headSent_) {
    close();
    return;
  }
  if (state_ == State::Head) {
    // Refused before a request began: log it as one of its own.
    started_ = std::chrono::steady_clock::now();
    arrived_ = std::chrono::system_clock::now();
    method_.clear();
    target_.clear();
    client_ = peer_;
    upstream_ = nullptr;
    outMark_ = written_ + out_.size();
  }
  if (up_) releaseUpstream(false);
  if (closeConnection) closeAfter_ = true;
  appendErrorResponse(out_, status, closeAfter_);
  headSent_ = true;
  if (state_ == State::Head && !closeAfter_) {
    finishExchange(status);
  } else {
    status_ = status;
    closeAfter_ = true;
    finishExchange(status);
  }
  flush();
}

void Connection::flush() {
  if (closed_) return;
  if (!flushClient()) return;
  if (up_ && !flushUpstream()) return;
  if (state_ == State::Forwarding && !requestDone_ && !in_.empty() && upOut_.size() < kHighWater) {
    pumpRequestBody();
    if (closed_) return;
    if (up_ && !flushUpstream()) return;
  }
  if (state_ == State::Head && !in_.empty() && out_.size() < kHighWater) {
    // Pipelined requests parked behind a full output buffer.
    process();
    if (closed_) return;
    if (!flushClient()) return;
    if (up_ && !flushUpstream()) return;
  }
  if (state_ == State::Forwarding && status_ != 0 && !upIn_.empty() && out_.size() < kHighWater) {
    processResponse();
    if (closed_) return;
    if (!flushClient()) return;
  }
  if (state_ == State::Closing && out_.empty() && upOut_.empty()) {
    close();
    return;
  }
  updateInterest();
}

bool Connection::flushClient() {
  if (!stream_.write(out_, written_)) {
    close();
    return false;
  }
  if (completionPending_ && written_ >= completionMark_) completeExchange(true);
  return true;
}

bool Connection::flushUpstream() {
  if (state_ == State::Connecting) return true;
  uint64_t ignored = 0;
  if (!writeFrom(up_->fd, upOut_, ignored)) {
    if (state_ == State::Tunnel) {
      close();
    } else {
      upstreamFailed(up_->reused && !upstreamBytes_ ? Failure::Stale : Failure::Reset);
    }
    return false;
  }
  return true;
}

void Connection::updateInterest() {
  bool wantRead = !clientEof_ && state_ != State::Closing && out_.size() < kHighWater;
  if (state_ == State::Tunnel) {
    wantRead = wantRead && upOut_.size() < kHighWater;
  } else {
    // In Head, requests pipelined behind an unwritten response pile up in in_: bound them too.
    wantRead = wantRead && in_.size() < kHighWater && upOut_.size() < kHighWater;
  }
  if (wantRead != reading_) {
    reading_ = wantRead;
    wantRead ? event_add(&readEvent_, nullptr) : event_del(&readEvent_);
  }
  if (reading_ && stream_.pending()) {
    // TLS already decrypted these bytes (a read stopped at the high-water mark): the socket will
    // not signal them again, so schedule the read ourselves.
    event_active(&readEvent_, EV_READ, 0);
  }
  bool wantWrite = !out_.empty();
  if (wantWrite != writing_) {
    writing_ = wantWrite;
    wantWrite ? event_add(&writeEvent_, nullptr) : event_del(&writeEvent_);
  }
  if (up_ && state_ != State::Connecting) {
    bool upRead = out_.size() < kHighWater;
    if (upRead != upReading_) {
      upReading_ = upRead;
      up_->readAdded = upRead;
      upRead ? event_add(&up_->readEvent, nullptr) : event_del(&up_->readEvent);
    }
    bool upWrite = !upOut_.empty();
    if (upWrite != upWriting_) {
      upWriting_ = upWrite;
      upWrite ? event_add(&up_->writeEvent, nullptr) : event_del(&up_->writeEvent);
    }
  }
  if (state_ == State::Head && in_.empty() && out_.empty()) {
    // Idle between requests: hold no buffers.
    in_.release();
    out_.release();
    upIn_.release();
    upOut_.release();
  }
}

void Connection::armTimer(Timer kind, std::chrono::milliseconds after) {
  timerKind_ = kind;
  timeval tv = toTimeval(after);
  event_add(&timer_, &tv);
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  if (completionPending_) {
    completeExchange(written_ >= completionMark_);
  } else if (exchange_) {
    exchange_->onComplete(0);
    exchange_.reset();
  }
  if (up_) releaseUpstream(false);
  event_del(&readEvent_);
  event_del(&writeEvent_);
  event_del(&timer_);
  stream_.close();
  ProxyMetrics::get().connections.add(-1);
  worker_.release(this);
}

}  // namespace consentry::proxy
