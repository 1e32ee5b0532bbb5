#include "proxy/connection.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "base/units.h"
#include "proxy/admin/access_log.h"
#include "proxy/forwarding.h"
#include "proxy/http2/session.h"
#include "proxy/http_text.h"
#include "proxy/proxy_metrics.h"
#include "proxy/server.h"
#include "proxy/upstream_head.h"
#include "proxy/worker.h"

namespace consentry::proxy {
namespace {

// Above this many bytes queued towards one side, stop reading from the other.
constexpr size_t kHighWater = UpstreamExchange::kHighWater;
constexpr size_t kReadChunk = 16 * kKiB;

timeval toTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// The request head being parsed and started. Its views point into the connection's input and
// die when the head is consumed at the end of startRequest(), so one per worker thread serves
// every connection, and idle connections hold no header storage.
http1::RequestHead& parsingHead() {
  static thread_local http1::RequestHead head;
  return head;
}

}  // namespace

Connection::Connection(Worker& worker, std::shared_ptr<WorkerContext> context, ClientStream stream,
                       const IpAddress& peer, bool h2c)
    : worker_(worker),
      context_(std::move(context)),
      stream_(std::move(stream)),
      peer_(peer),
      tls_(stream_.secure()),
      h2c_(h2c) {
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
    case Timer::None:
      return;
  }
}

// ---- client side ----

void Connection::readClient() {
  if (closed_) return;
  if (state_ == State::Tunnel) {
    ssize_t n = stream_.read(in_);
    if (n == 0 || n == -2) {
      clientEof_ = true;
      state_ = State::Closing;
    }
    if (forward_->tunnel()) forward_->sendBody(in_.view());
    in_.clear();
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
  process();
  if (closed_) return;
  if (clientEof_ && state_ == State::Head) {
    // Nothing in flight: a half-close from the client ends the connection once we have answered.
    state_ = State::Closing;
  }
  if (clientEof_ &&
      (state_ == State::LocalBody || (state_ == State::Forwarding && !requestDone_))) {
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
        if (h2c_ && awaitHttp2()) return;
        http1::RequestHead& parsed = parsingHead();
        auto result = http1::parseRequest(in_.view(), context_->limits, parsed);
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
        startRequest(parsed);
        break;
      }
      case State::LocalBody:
        if (!pumpRequestBody()) return;
        if (!requestDone_) return;
        finishLocal();
        break;
      case State::Forwarding:
        if (forward_->wantsBody()) pumpRequestBody();
        return;
      case State::Tunnel:
      case State::Closing:
        return;
    }
  }
}

bool Connection::awaitHttp2() {
  constexpr std::string_view preface = http2::Session::kPreface;
  const std::string_view seen = in_.view().substr(0, preface.size());
  if (!preface.starts_with(seen)) {
    h2c_ = false;  // an HTTP/1.1 request (with http2: false the preface is a 505 like any PRI)
    return false;
  }
  if (seen.size() < preface.size()) {
    if (clientEof_) state_ = State::Closing;
    return true;  // wait for the rest (the header timeout runs)
  }
  // Hand the socket and the bytes read so far to an HTTP/2 session; this object is done.
  closed_ = true;
  event_del(&readEvent_);
  event_del(&writeEvent_);
  event_del(&timer_);
  ProxyMetrics::get().connections.add(-1);
  worker_.switchToHttp2(this, std::move(stream_), peer_, in_.view());
  return true;
}

void Connection::startRequest(const http1::RequestHead& parsed) {
  h2c_ = false;
  const auto& config = context_->config;
  started_ = std::chrono::steady_clock::now();
  method_.assign(parsed.method);
  http10_ = parsed.versionMinor == 0;
  keepAlive_ = parsed.keepAlive && !draining_ && !worker_.draining();
  idempotent_ = UpstreamExchange::isIdempotent(parsed.method);
  expectContinue_ = parsed.expectContinue && !http10_;
  upgrade_ = parsed.upgrade;
  requestBody_ = parsed.body;
  requestRemaining_ = parsed.contentLength;
  requestBodyBytes_ = 0;
  requestDone_ = requestBody_ == http1::BodyKind::None ||
                 (requestBody_ == http1::BodyKind::Length && requestRemaining_ == 0);
  headSent_ = false;
  closeAfter_ = false;
  dechunk_ = false;
  sentContinue_ = false;
  status_ = 0;
  if (requestBody_ == http1::BodyKind::Chunked) {
    if (!requestChunks_) requestChunks_ = std::make_unique<http1::ChunkedDecoder>();
    requestChunks_->reset();
  }
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
    target_.assign(parsed.target);
    client_ = peerTrusted ? resolveClientIp(peer_, parsed.headers, config.trustedProxies) : peer_;
  }
  if (context_->chain) {
    filters::RequestInfo info;
    info.method = parsed.method;
    info.target = parsed.target;
    info.host = parsed.host;
    info.scheme = tls_ ? "https" : "http";
    info.protocol = http10_ ? "HTTP/1.0" : "HTTP/1.1";
    info.headers = parsed.headers;
    info.peer = peer_;
    info.client =
        peerTrusted ? resolveClientIp(peer_, parsed.headers, config.trustedProxies) : peer_;
    info.time = std::chrono::system_clock::now();
    info.worker = worker_.index();
    exchange_ = context_->chain->begin(info);
    if (exchange_ && exchange_->isLocal()) {
      startLocal(parsed.headBytes);
      return;
    }
  }

  std::string_view path = parsed.target;
  int upstreamIndex = context_->router.match(parsed.host, path);
  if (upstreamIndex < 0) {
    in_.consume(parsed.headBytes);
    sendError(context_->upstreams.empty() ? 502 : 404, !requestDone_);
    return;
  }
  upstream_ = context_->upstreams[static_cast<size_t>(upstreamIndex)].get();
  if (!forward_)
    forward_ = std::make_unique<UpstreamExchange>(static_cast<UpstreamExchange::Owner&>(*this),
                                                  worker_.base(), context_->limits);

  UpstreamHead head;
  head.method = parsed.method;
  head.target = parsed.target;
  head.headers = parsed.headers;
  head.hasHost = !parsed.host.empty();
  if (!upstream_->serverText.empty()) head.defaultHost = upstream_->serverText.front();
  head.chunked = requestBody_ == http1::BodyKind::Chunked;
  if (requestBody_ == http1::BodyKind::Length) head.contentLength = parsed.contentLength;
  head.upgrade = upgrade_;
  head.forward = ForwardInfo{peer_, peerTrusted, tls_ ? "https" : "http", parsed.host};
  appendUpstreamHead(forward_->headBuffer(), head);
  in_.consume(parsed.headBytes);  // the request's views die here

  state_ = State::Forwarding;
  UpstreamExchange::Request request;
  request.method = method_;
  request.idempotent = idempotent_;
  request.chunked = requestBody_ == http1::BodyKind::Chunked;
  request.bodyDone = requestDone_;
  request.upgrade = upgrade_;
  request.bodyTimeout = config.limits.bodyTimeout;
  forward_->start(*upstream_, request);
}

void Connection::startLocal(size_t headBytes) {
  in_.consume(headBytes);
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
  // In LocalBody the body goes to localBody_, else to the upstream exchange.
  const bool local = state_ == State::LocalBody;
  while (!requestDone_ && !in_.empty() && (local || forward_->wantsBody())) {
    if (requestBody_ == http1::BodyKind::Length) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(requestRemaining_, in_.size()));
      if (local) {
        localBody_.append(in_.data(), n);
      } else {
        forward_->sendBody(std::string_view(in_.data(), n));
      }
      in_.consume(n);
      requestRemaining_ -= n;
      requestBodyBytes_ += n;
      if (requestRemaining_ == 0) {
        requestDone_ = true;
        if (!local) forward_->endBody();
      }
      continue;
    }
    auto step = requestChunks_->decode(in_.view());
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
        forward_->sendBody(step.data);
      }
    }
    in_.consume(step.consumed);
    if (step.status == http1::Status::Complete) {
      requestDone_ = true;
      if (!local) forward_->endBody(requestChunks_->trailers());
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

// ---- upstream side (UpstreamExchange::Owner) ----

void Connection::onUpstreamReady() {
  if (expectContinue_ && !requestDone_ && !sentContinue_ && in_.empty()) {
    // We read the body ourselves, so the client's wait for 100 ends here rather than upstream.
    out_.append("HTTP/1.1 100 Continue\r\n\r\n");
    sentContinue_ = true;
  }
  pumpRequestBody();
}

void Connection::onUpstreamInterim(const http1::ResponseHead& head, std::string_view raw) {
  // Ours already went out for 100; others are relayed to 1.1 clients.
  if (!(head.status == 100 && sentContinue_) && !http10_) out_.append(raw);
}

void Connection::onUpstreamHead(const http1::ResponseHead& head, std::string_view raw) {
  status_ = head.status;
  if (head.status == 101) {
    enterTunnel(raw);
    return;
  }
  writeResponseHead(head);
  forward_->passChunked(!dechunk_);
}

void Connection::onUpstreamBody(std::string_view data) {
  // A tunnel whose client left: whatever the upstream still sends has nowhere to go.
  if (state_ != State::Closing) out_.append(data);
}

void Connection::onUpstreamDone() {
  if (state_ == State::Tunnel || state_ == State::Closing) {
    state_ = State::Closing;  // the tunnel's upstream side closed
    return;
  }
  finishExchange(status_);
}

void Connection::onUpstreamFailed(int status) {
  if (status == 0 || headSent_) {
    close();  // the client already has part of a response: only a reset tells it
    return;
  }
  sendError(status, true);
}

bool Connection::upstreamRoom() const {
  return out_.size() < kHighWater;
}

void Connection::onUpstreamEvent() {
  flush();
}

void Connection::writeResponseHead(const http1::ResponseHead& response) {
  filters::ResponseEdits edits;
  if (exchange_) exchange_->onResponseHeaders(response.status, response.headers, edits);
  closeAfter_ = !keepAlive_ || !requestDone_ || draining_ || worker_.draining();
  dechunk_ = response.body == http1::BodyKind::Chunked && http10_;
  if (response.body == http1::BodyKind::UntilClose || dechunk_) closeAfter_ = true;

  appendStatusLine(out_, response.status, response.reason);
  auto tokens = ConnectionTokens::from(response.headers);
  for (size_t i = 0; i < response.headers.size(); ++i) {
    const auto& h = response.headers[i];
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
  if (response.body == http1::BodyKind::Chunked && !dechunk_) {
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

void Connection::enterTunnel(std::string_view raw) {
  // The 101 goes to the client as received, Upgrade and Connection included.
  out_.append(raw);
  forward_->sendBody(in_.view());  // bytes the client sent after its request head
  in_.clear();
  headSent_ = true;
  if (timerKind_ != Timer::None) {
    event_del(&timer_);
    timerKind_ = Timer::None;
  }
  state_ = State::Tunnel;
  finishExchange(101);
  state_ = State::Tunnel;
}

void Connection::finishExchange(int status) {
  if (upstream_ != nullptr && forward_) server_ = forward_->server();
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
  metrics.duration().observe(
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
  if (forward_) forward_->abort();
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
  if (forward_ && !forward_->flush()) return;
  // Until the upstream socket pushes back: when one write drains the queue completely, body bytes
  // left in in_ have no event left to move them (the client may have sent its last byte).
  while (state_ == State::Forwarding && !requestDone_ && !in_.empty() && forward_->wantsBody()) {
    const size_t before = in_.size();
    pumpRequestBody();
    if (closed_) return;
    if (!forward_->flush()) return;
    if (in_.size() == before || forward_->queued() > 0) break;  // needs input, or a write event
  }
  if (state_ == State::Head && !in_.empty() && out_.size() < kHighWater) {
    // Pipelined requests parked behind a full output buffer.
    process();
    if (closed_) return;
    if (!flushClient()) return;
    if (forward_ && !forward_->flush()) return;
  }
  if (state_ == State::Forwarding && out_.size() < kHighWater) {
    forward_->resume();
    if (closed_) return;
    if (!flushClient()) return;
  }
  if (state_ == State::Closing && out_.empty() && (!forward_ || forward_->queued() == 0)) {
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

void Connection::updateInterest() {
  bool wantRead = !clientEof_ && state_ != State::Closing && out_.size() < kHighWater;
  if (state_ == State::Tunnel) {
    wantRead = wantRead && forward_->wantsBody();
  } else {
    // In Head, requests pipelined behind an unwritten response pile up in in_: bound them too.
    wantRead =
        wantRead && in_.size() < kHighWater && (!forward_ || forward_->queued() < kHighWater);
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
  if (forward_) forward_->updateInterest();
  if (state_ == State::Head && in_.empty() && out_.empty()) {
    // Idle between requests: hold no buffers, no upstream exchange and no per-request storage.
    in_.release();
    out_.release();
    if (forward_ && !forward_->active()) forward_.reset();
    requestChunks_.reset();
    if (localBody_.capacity() > 0) std::string().swap(localBody_);
    if (target_.capacity() > 0) std::string().swap(target_);
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
  if (forward_) forward_->abort();
  event_del(&readEvent_);
  event_del(&writeEvent_);
  event_del(&timer_);
  stream_.close();
  ProxyMetrics::get().connections.add(-1);
  worker_.release(this);
}

}  // namespace consentry::proxy
