#include "proxy/upstream_exchange.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "base/units.h"
#include "proxy/proxy_metrics.h"

namespace consentry::proxy {
namespace {

constexpr size_t kReadChunk = 16 * kKiB;

timeval toTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

// Reads what is available into `buffer`; returns bytes read, 0 on EOF, -1 on EAGAIN, -2 on error.
ssize_t readInto(int fd, ByteBuffer& buffer) {
  char* p = buffer.prepare(kReadChunk);
  ssize_t n = ::recv(fd, p, buffer.tailroom(), 0);  // not read(): see ClientStream::read
  if (n > 0) {
    buffer.commit(static_cast<size_t>(n));
    return n;
  }
  if (n == 0) return 0;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : -2;
}

// Writes as much of `buffer` as the socket takes; false on a hard error.
bool writeFrom(int fd, ByteBuffer& buffer) {
  while (!buffer.empty()) {
    ssize_t n = ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
    if (n > 0) {
      buffer.consume(static_cast<size_t>(n));
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

UpstreamExchange::UpstreamExchange(Owner& owner, event_base* base, const http1::Limits& limits)
    : owner_(owner), base_(base), limits_(limits) {
  evtimer_assign(&timer_, base_, &onTimer, this);
  // One allocation each instead of a growth series on every exchange.
  response_.headers.reserve(16);
  head_.reserve(1024);
}

UpstreamExchange::~UpstreamExchange() {
  abort();
  event_del(&timer_);
}

void UpstreamExchange::start(UpstreamRuntime& upstream, const Request& request) {
  upstream_ = &upstream;
  method_.assign(request.method);
  request_ = request;
  request_.method = {};
  bodyDone_ = request.bodyDone;
  bodyStarted_ = false;
  triedServers_ = 0;
  attempts_ = 0;
  server_ = -1;
  status_ = 0;
  passChunked_ = false;
  chunks_.reset();
  state_ = State::Connecting;
  connect();
}

// ---- event entry points ----

void UpstreamExchange::onRead(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<UpstreamExchange*>(arg);
  self->read();
  self->owner_.onUpstreamEvent();
}

void UpstreamExchange::onWrite(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<UpstreamExchange*>(arg);
  if (self->state_ == State::Connecting) {
    int error = 0;
    socklen_t length = sizeof(error);
    getsockopt(self->up_->fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) {
      self->failed(Failure::ConnectRefused);
    } else {
      self->connected();
    }
  } else {
    self->flush();
  }
  self->owner_.onUpstreamEvent();
}

void UpstreamExchange::onTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<UpstreamExchange*>(arg);
  Timer kind = self->timerKind_;
  self->timerKind_ = Timer::None;
  if (kind == Timer::Connect) self->failed(Failure::ConnectTimeout);
  if (kind == Timer::Response) self->failed(Failure::Timeout);
  self->owner_.onUpstreamEvent();
}

// ---- connecting ----

void UpstreamExchange::connect() {
  const auto now = upstream::Clock::now();
  int server = upstream_->balancer.pick(now, triedServers_);
  if (server < 0) {
    state_ = State::Done;
    owner_.onUpstreamFailed(502);
    return;
  }
  ++attempts_;
  server_ = server;
  if (server < 64) triedServers_ |= uint64_t{1} << server;
  upstream_->balancer.onStart(server);
  upstreamBytes_ = false;
  auto conn = upstream_->pool.take(server);
  bool isConnected = true;
  if (!conn) {
    const auto& address = upstream_->servers[static_cast<size_t>(server)];
    int fd = upstream::openUpstreamSocket(address.get(), address.length, &isConnected);
    if (fd < 0) {
      upstream_->balancer.onEnd(server);
      upstream_->balancer.onFailure(server, now);
      ProxyMetrics::get().upstreamError(upstream_->config.name, "connect");
      if (request_.idempotent && attempts_ <= upstream_->config.retries) {
        connect();
      } else {
        state_ = State::Done;
        owner_.onUpstreamFailed(502);
      }
      return;
    }
    conn = std::make_unique<upstream::UpstreamConn>(fd, server);
  }
  up_ = std::move(conn);
  reading_ = upstream::attachUpstreamConn(*up_, base_, &onRead, &onWrite, this);
  writing_ = false;
  if (isConnected) {
    connected();
    return;
  }
  writing_ = true;
  event_add(&up_->writeEvent, nullptr);
  armTimer(Timer::Connect, upstream_->config.timeouts.connect);
}

void UpstreamExchange::connected() {
  state_ = State::Sending;
  in_.clear();
  out_.clear();
  out_.append(head_);
  owner_.onUpstreamReady();
  if (state_ != State::Sending) return;
  armProgressTimer();
  flush();
}

void UpstreamExchange::failed(Failure failure) {
  if (state_ == State::Idle || state_ == State::Done) return;
  const auto now = upstream::Clock::now();
  const int server = up_ ? up_->server : -1;
  const bool stale = failure == Failure::Stale;
  if (server >= 0) {
    upstream_->balancer.onEnd(server);
    if (!stale) upstream_->balancer.onFailure(server, now);
  }
  up_.reset();
  reading_ = writing_ = false;
  cancelTimer();
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
  if (neverSent && request_.idempotent && !bodyStarted_ && status_ == 0) {
    if (stale) {
      --attempts_;  // a dead pooled connection is not the server's failure
      if (server >= 0 && server < 64) triedServers_ &= ~(uint64_t{1} << server);
    }
    if (attempts_ <= upstream_->config.retries) {
      state_ = State::Connecting;
      connect();
      return;
    }
  }
  state_ = State::Done;
  dropUnsent();
  const bool timeout = failure == Failure::ConnectTimeout || failure == Failure::Timeout;
  // Once the head went out only a reset can tell the client: status 0.
  owner_.onUpstreamFailed(status_ != 0 ? 0 : (timeout ? 504 : 502));
}

// ---- request body ----

void UpstreamExchange::sendBody(std::string_view data) {
  if (data.empty()) return;
  if (state_ == State::Tunnel) {
    out_.append(data);
    return;
  }
  bodyStarted_ = true;
  if (request_.chunked) {
    appendChunkSize(out_, data.size());
    out_.append(data);
    out_.append("\r\n");
  } else {
    out_.append(data);
  }
  armProgressTimer();
}

void UpstreamExchange::endBody(std::string_view trailers) {
  if (bodyDone_) return;
  if (request_.chunked) {
    bodyStarted_ = true;
    out_.append("0\r\n");
    out_.append(trailers);
    out_.append("\r\n");
  }
  bodyDone_ = true;
  armProgressTimer();
}

bool UpstreamExchange::flush() {
  if (!up_ || state_ == State::Connecting) return true;
  if (writeFrom(up_->fd, out_)) {
    // Sent (the head for a retry is in head_): its block can serve another exchange meanwhile.
    out_.release();
    return true;
  }
  if (state_ == State::Tunnel) {
    release(false);
    state_ = State::Done;
    owner_.onUpstreamFailed(0);
  } else {
    failed(up_->reused && !upstreamBytes_ ? Failure::Stale : Failure::Reset);
  }
  return false;
}

// ---- response ----

void UpstreamExchange::read() {
  if (!up_ || (state_ != State::Sending && state_ != State::Tunnel)) return;
  ssize_t n = 0;
  while (true) {
    n = readInto(up_->fd, in_);
    if (n > 0) upstreamBytes_ = true;
    if (n <= 0 || static_cast<size_t>(n) < kReadChunk || in_.size() >= kHighWater) break;
  }
  if (state_ == State::Tunnel) {
    if (!in_.empty()) {
      owner_.onUpstreamBody(in_.view());
      in_.clear();
    }
    if ((n == 0 || n == -2) && state_ == State::Tunnel) {
      release(false);
      state_ = State::Done;
      owner_.onUpstreamDone();
    }
    return;
  }
  if (n == 0 || n == -2) {
    // End of the upstream connection.
    if (status_ == 0 && in_.empty()) {
      failed(up_->reused && !upstreamBytes_ ? Failure::Stale : Failure::Reset);
      return;
    }
    if (!process()) return;
    if (status_ != 0 && response_.body == http1::BodyKind::UntilClose) {
      release(false);
      cancelTimer();
      state_ = State::Done;
      owner_.onUpstreamDone();
      return;
    }
    if (status_ != 0) {
      // The response was cut short after its head went to the owner.
      release(false);
      cancelTimer();
      state_ = State::Done;
      owner_.onUpstreamFailed(0);
      return;
    }
    failed(Failure::BadResponse);
    return;
  }
  if (!process()) return;
  if (status_ != 0 && state_ == State::Sending) {
    // A response body still streaming: the timeout counts from the last byte received.
    armTimer(Timer::Response, upstream_->config.timeouts.response);
  }
}

void UpstreamExchange::resume() {
  if (state_ == State::Sending && status_ != 0 && !in_.empty()) process();
}

bool UpstreamExchange::process() {
  while (state_ == State::Sending) {
    if (status_ == 0) {
      if (in_.empty()) return true;
      auto result = http1::parseResponse(in_.view(), limits_, method_, response_);
      if (result.status == http1::Status::Incomplete) return true;
      if (result.status == http1::Status::Error) {
        failed(Failure::BadResponse);
        return false;
      }
      upstreamBytes_ = true;
      const int status = response_.status;
      const std::string_view raw(in_.data(), response_.headBytes);
      if (status >= 100 && status < 200 && status != 101) {
        owner_.onUpstreamInterim(response_, raw);
        if (state_ != State::Sending) return false;
        in_.consume(response_.headBytes);
        continue;
      }
      if (status == 101) {
        if (!request_.upgrade) {
          failed(Failure::BadResponse);
          return false;
        }
        status_ = status;
        cancelTimer();
        state_ = State::Tunnel;
        bodyDone_ = false;
        owner_.onUpstreamHead(response_, raw);
        if (state_ != State::Tunnel) return false;
        in_.consume(response_.headBytes);
        if (!in_.empty()) {
          owner_.onUpstreamBody(in_.view());
          in_.clear();
        }
        return state_ == State::Tunnel;
      }
      status_ = status;
      upstream_->balancer.onSuccess(up_->server);
      owner_.onUpstreamHead(response_, raw);
      if (state_ != State::Sending) return false;
      in_.consume(response_.headBytes);
      remaining_ = response_.contentLength;
      chunks_.reset();
    }
    switch (response_.body) {
      case http1::BodyKind::None:
        break;
      case http1::BodyKind::Length: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, in_.size()));
        if (n > 0) {
          owner_.onUpstreamBody(std::string_view(in_.data(), n));
          if (state_ != State::Sending) return false;
          in_.consume(n);
          remaining_ -= n;
        }
        if (remaining_ > 0) return true;
        break;
      }
      case http1::BodyKind::Chunked: {
        bool complete = false;
        while (!in_.empty() && owner_.upstreamRoom()) {
          auto step = chunks_.decode(in_.view());
          if (step.status == http1::Status::Error) {
            release(false);
            cancelTimer();
            state_ = State::Done;
            owner_.onUpstreamFailed(0);
            return false;
          }
          std::string_view data =
              passChunked_ ? std::string_view(in_.data(), step.consumed) : step.data;
          if (!data.empty()) {
            owner_.onUpstreamBody(data);
            if (state_ != State::Sending) return false;
          }
          in_.consume(step.consumed);
          if (step.status == http1::Status::Complete) {
            complete = true;
            break;
          }
          if (step.consumed == 0) break;
        }
        if (!complete) return true;
        break;
      }
      case http1::BodyKind::UntilClose:
        if (!in_.empty()) {
          owner_.onUpstreamBody(in_.view());
          if (state_ != State::Sending) return false;
          in_.clear();
        }
        return true;  // ends with the upstream's EOF
    }
    finish();
    return false;
  }
  return state_ == State::Tunnel;
}

void UpstreamExchange::finish() {
  cancelTimer();
  const bool reusable = response_.keepAlive && bodyDone_ && in_.empty() &&
                        response_.body != http1::BodyKind::UntilClose;
  release(reusable);
  in_.release();  // no-op unless empty: a block per exchange only while its response comes in
  state_ = State::Done;
  owner_.onUpstreamDone();
}

// ---- plumbing ----

void UpstreamExchange::release(bool reusable) {
  if (!up_) return;
  upstream_->balancer.onEnd(up_->server);
  if (reusable) {
    upstream_->pool.put(std::move(up_));
  } else {
    up_.reset();
  }
  reading_ = writing_ = false;
}

void UpstreamExchange::updateInterest() {
  if (!up_ || (state_ != State::Sending && state_ != State::Tunnel)) return;
  bool wantRead = owner_.upstreamRoom();
  if (wantRead != reading_) {
    reading_ = wantRead;
    up_->readAdded = wantRead;
    wantRead ? event_add(&up_->readEvent, nullptr) : event_del(&up_->readEvent);
  }
  bool wantWrite = !out_.empty();
  if (wantWrite != writing_) {
    writing_ = wantWrite;
    wantWrite ? event_add(&up_->writeEvent, nullptr) : event_del(&up_->writeEvent);
  }
}

void UpstreamExchange::abort() {
  if (up_) release(false);
  cancelTimer();
  if (state_ != State::Idle) state_ = State::Done;
  dropUnsent();
}

void UpstreamExchange::dropUnsent() {
  // Without a connection these bytes can never go out; an owner that waits for queued() == 0
  // before closing its client (a 400 after the body began, a 504 during an upload) must not wait.
  in_.clear();
  out_.clear();
}

void UpstreamExchange::releaseBuffers() {
  in_.clear();
  out_.clear();
  in_.release();
  out_.release();
}

void UpstreamExchange::armTimer(Timer kind, std::chrono::milliseconds after) {
  timerKind_ = kind;
  timeval tv = toTimeval(after);
  event_add(&timer_, &tv);
}

void UpstreamExchange::armProgressTimer() {
  if (state_ != State::Sending) return;
  armTimer(Timer::Response, bodyDone_ ? upstream_->config.timeouts.response : request_.bodyTimeout);
}

void UpstreamExchange::cancelTimer() {
  if (timerKind_ == Timer::None) return;
  event_del(&timer_);
  timerKind_ = Timer::None;
}

}  // namespace consentry::proxy
