#include "proxy/http2/session.h"

#include <algorithm>

#include "base/units.h"
#include "proxy/http2/stream.h"
#include "proxy/proxy_metrics.h"
#include "proxy/worker.h"

namespace consentry::proxy::http2 {
namespace {

// Output queued towards the client above which we stop producing frames, and read input above
// which we stop reading until nghttp2 took it.
constexpr size_t kHighWater = 256 * kKiB;
// Per-stream receive window: a slow upstream holds at most this much of one request body here.
constexpr int32_t kStreamWindow = 256 * 1024;
// The connection window leaves room for several uploading streams at once.
constexpr int32_t kConnectionWindow = 4 * 1024 * 1024;

timeval toTimeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000),
                 static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

std::string_view view(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

}  // namespace

Session::Session(Worker& worker, std::shared_ptr<WorkerContext> context, ClientStream stream,
                 const IpAddress& peer, std::string_view received)
    : worker_(worker), context_(std::move(context)), stream_(std::move(stream)), peer_(peer) {
  const int fd = stream_.fd();
  event_assign(&readEvent_, worker_.base(), fd, EV_READ | EV_PERSIST, &onRead, this);
  event_assign(&writeEvent_, worker_.base(), fd, EV_WRITE | EV_PERSIST, &onWrite, this);
  evtimer_assign(&timer_, worker_.base(), &onTimer, this);
  event_assign(&flushEvent_, worker_.base(), -1, 0, &onFlush, this);
  ProxyMetrics::get().connections.add(1);
  in_.append(received);

  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &onBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &onHeader);
  nghttp2_session_callbacks_set_on_invalid_header_callback(callbacks, &onInvalidHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &onFrameRecv);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks, &onInvalidFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &onDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &onStreamClose);
  nghttp2_option* options = nullptr;
  nghttp2_option_new(&options);
  // Windows open only as far as the upstream took the bytes (Stream gives them back).
  nghttp2_option_set_no_auto_window_update(options, 1);
  // A closed stream is forgotten at once: nghttp2 otherwise keeps recently closed streams (as many
  // as streams may be open) for the RFC 7540 priority tree, which this server does not use.
  nghttp2_option_set_no_closed_streams(options, 1);
  nghttp2_session_server_new2(&session_, callbacks, this, options);
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(callbacks);

  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
      {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, 16384},
      // RFC 9218: no RFC 7540 dependency tree to maintain per stream (deprecated by RFC 9113;
      // streams are served in the order their upstream answers).
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
       static_cast<uint32_t>(context_->config.limits.maxHeaderBytes)},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
}

Session::~Session() {
  if (!closed_) close();
  streams_.clear();
  closedStreams_.clear();
  spareStreams_.clear();
  nghttp2_session_del(session_);
}

void Session::start() {
  reading_ = true;
  event_add(&readEvent_, nullptr);
  timeval tv = toTimeval(context_->config.limits.headerTimeout);
  event_add(&timer_, &tv);
  if (!in_.empty() && !feed()) return;
  read();
}

void Session::drain() {
  if (closed_ || draining_) return;
  draining_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
  flush();
}

// ---- event entry points ----

void Session::onRead(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Session*>(arg);
  self->reapClosed();
  self->read();
}

void Session::onWrite(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Session*>(arg);
  self->reapClosed();
  self->flush();
}

void Session::onFlush(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Session*>(arg);
  self->flushPending_ = false;
  self->reapClosed();
  self->flush();
}

void Session::flushSoon() {
  if (flushPending_ || closed_) return;
  flushPending_ = true;
  event_active(&flushEvent_, EV_WRITE, 0);
}

void Session::onTimer(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<Session*>(arg);
  self->idleArmed_ = false;
  if (!self->sawFrame_) {
    self->close();  // no preface and SETTINGS within the header timeout
    return;
  }
  if (self->streams_.empty()) {
    // Idle: say goodbye properly, then close once it is written.
    self->draining_ = true;
    nghttp2_submit_goaway(self->session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(self->session_), NGHTTP2_NO_ERROR,
                          nullptr, 0);
    self->flush();
  }
}

// ---- input ----

void Session::read() {
  if (closed_) return;
  bool eof = false;
  while (in_.size() < kHighWater) {
    ssize_t n = stream_.read(in_);
    if (n == ClientStream::kWouldBlock) break;
    if (n == ClientStream::kError) {
      close();
      return;
    }
    if (n == ClientStream::kEof) {
      eof = true;
      break;
    }
    if (static_cast<size_t>(n) < ClientStream::kReadChunk) break;
  }
  if (!feed()) return;
  if (eof) {
    close();  // the client is gone: nothing it asked for can reach it any more
    return;
  }
  flush();
}

bool Session::feed() {
  if (in_.empty()) return true;
  inNghttp2_ = true;
  ssize_t n =
      nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(in_.data()), in_.size());
  inNghttp2_ = false;
  if (n < 0) {
    // Fatal for the connection (bad preface, flood, ...): send what nghttp2 queued (GOAWAY).
    if (n != NGHTTP2_ERR_BAD_CLIENT_MAGIC) ProxyMetrics::get().badRequest("h2_connection_error");
    send();
    stream_.write(out_, written_);
    close();
    return false;
  }
  in_.consume(static_cast<size_t>(n));
  return true;
}

// ---- output ----

void Session::send() {
  inNghttp2_ = true;
  while (out_.size() < kHighWater) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out_.append(view(data, static_cast<size_t>(n)));
  }
  inNghttp2_ = false;
}

void Session::flush() {
  if (closed_ || inNghttp2_) return;
  // Streams that took output space may produce more once it is written: a few rounds at most.
  for (int round = 0; round < 4; ++round) {
    send();
    if (!stream_.write(out_, written_)) {
      close();
      return;
    }
    for (auto& stream : streams_) stream->pump();
    if (!out_.empty() || !nghttp2_session_want_write(session_)) break;
  }
  if (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_) &&
      out_.empty()) {
    close();  // GOAWAY exchanged and every stream finished
    return;
  }
  if (draining_ && streams_.empty() && out_.empty() && !nghttp2_session_want_write(session_)) {
    close();
    return;
  }
  updateInterest();
  updateTimer();
}

void Session::updateInterest() {
  const bool wantRead = out_.size() < kHighWater && in_.size() < kHighWater;
  if (wantRead != reading_) {
    reading_ = wantRead;
    wantRead ? event_add(&readEvent_, nullptr) : event_del(&readEvent_);
  }
  if (reading_ && stream_.pending()) {
    // TLS holds decrypted bytes the socket will not signal again.
    event_active(&readEvent_, EV_READ, 0);
  }
  const bool wantWrite = !out_.empty();
  if (wantWrite != writing_) {
    writing_ = wantWrite;
    wantWrite ? event_add(&writeEvent_, nullptr) : event_del(&writeEvent_);
  }
}

void Session::updateTimer() {
  if (!sawFrame_) return;  // the header timer set in start() runs
  const bool idle = streams_.empty();
  if (idle && !idleArmed_) {
    idleArmed_ = true;
    timeval tv = toTimeval(context_->config.limits.idleTimeout);
    event_add(&timer_, &tv);
  } else if (!idle && idleArmed_) {
    idleArmed_ = false;
    event_del(&timer_);
  }
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  for (auto& stream : streams_) {
    stream->closed(NGHTTP2_CANCEL);
    closedStreams_.push_back(std::move(stream));
  }
  streams_.clear();
  event_del(&readEvent_);
  event_del(&writeEvent_);
  event_del(&timer_);
  event_del(&flushEvent_);
  stream_.close();
  ProxyMetrics::get().connections.add(-1);
  worker_.release(this);
}

// ---- stream objects ----

std::unique_ptr<Stream> Session::newStream(int32_t id) {
  if (spareStreams_.empty()) return std::make_unique<Stream>(*this, id);
  std::unique_ptr<Stream> stream = std::move(spareStreams_.back());
  spareStreams_.pop_back();
  stream->reuse(id);
  return stream;
}

void Session::reapClosed() {
  for (auto& stream : closedStreams_) {
    if (closed_ || spareStreams_.size() >= kSpareStreams) break;
    stream->recycle();
    spareStreams_.push_back(std::move(stream));
  }
  closedStreams_.clear();
}

// ---- nghttp2 callbacks ----

Stream* Session::find(int32_t id) {
  return static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_, id));
}

int Session::onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  const int32_t id = frame->hd.stream_id;
  self->streams_.push_back(self->newStream(id));
  nghttp2_session_set_stream_user_data(self->session_, id, self->streams_.back().get());
  return 0;
}

int Session::onHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* user) {
  auto* self = static_cast<Session*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) {
    return 0;  // trailers are not forwarded
  }
  Stream* stream = self->find(frame->hd.stream_id);
  if (stream == nullptr) return 0;
  if (!stream->addHeader(view(name, namelen), view(value, valuelen))) {
    ProxyMetrics::get().badRequest("h2_malformed");
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                              NGHTTP2_PROTOCOL_ERROR);
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  }
  return 0;
}

int Session::onInvalidHeader(nghttp2_session* session, const nghttp2_frame* frame, const uint8_t*,
                             size_t, const uint8_t*, size_t, uint8_t, void*) {
  // A field nghttp2 found invalid (CR, LF, NUL, bad characters): never pass it on, refuse the
  // request rather than silently dropping what the client meant.
  ProxyMetrics::get().badRequest("h2_malformed");
  nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id,
                            NGHTTP2_PROTOCOL_ERROR);
  return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
}

int Session::onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Session*>(user);
  self->sawFrame_ = true;
  Stream* stream = self->find(frame->hd.stream_id);
  if (stream == nullptr) return 0;
  const bool endStream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
  if (frame->hd.type == NGHTTP2_HEADERS) {
    if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      stream->headersDone(endStream);
    } else if (endStream) {
      stream->endOfBody();
    }
  } else if (frame->hd.type == NGHTTP2_DATA && endStream) {
    stream->endOfBody();
  }
  return 0;
}

int Session::onInvalidFrameRecv(nghttp2_session*, const nghttp2_frame*, int, void*) {
  ProxyMetrics::get().badRequest("h2_malformed");
  return 0;
}

int Session::onDataChunk(nghttp2_session* session, uint8_t, int32_t id, const uint8_t* data,
                         size_t length, void* user) {
  auto* self = static_cast<Session*>(user);
  Stream* stream = self->find(id);
  if (stream == nullptr) {
    nghttp2_session_consume_connection(session, length);
    return 0;
  }
  stream->body(view(data, length));
  return 0;
}

int Session::onStreamClose(nghttp2_session* session, int32_t id, uint32_t errorCode, void* user) {
  auto* self = static_cast<Session*>(user);
  auto it = std::find_if(self->streams_.begin(), self->streams_.end(),
                         [id](const std::unique_ptr<Stream>& s) { return s->id() == id; });
  if (it == self->streams_.end()) return 0;
  nghttp2_session_set_stream_user_data(session, id, nullptr);
  (*it)->closed(errorCode);
  self->closedStreams_.push_back(std::move(*it));
  std::swap(*it, self->streams_.back());  // the order of open streams does not matter
  self->streams_.pop_back();
  return 0;
}

}  // namespace consentry::proxy::http2
