#include "proxy/http2/stream.h"

#include <charconv>
#include <cstring>

#include "proxy/admin/access_log.h"
#include "proxy/forwarding.h"
#include "proxy/http1/field_scanner.h"
#include "proxy/http2/session.h"
#include "proxy/http2/validation.h"
#include "proxy/proxy_metrics.h"
#include "proxy/server.h"
#include "proxy/upstream_head.h"
#include "proxy/worker.h"

namespace consentry::proxy::http2 {
namespace {

constexpr size_t kHighWater = UpstreamExchange::kHighWater;

nghttp2_nv nv(std::string_view name, std::string_view value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

// The fields of one response head for nghttp2_submit_response (which copies them): names
// lower-cased into one arena (HTTP/1.1 names come in any case), values viewed where they are.
// Per thread and reused, so a response costs no allocation here.
class ResponseFields {
 public:
  // Trailers: the same arena, without :status.
  static ResponseFields& trailers() {
    ResponseFields& fields = start(0);
    fields.nva_.clear();
    fields.offsets_.clear();
    return fields;
  }
  size_t size() const { return nva_.size(); }
  static ResponseFields& start(int status) {
    thread_local ResponseFields fields;
    fields.names_.clear();
    fields.offsets_.clear();
    fields.nva_.clear();
    auto [end, ec] = std::to_chars(fields.status_, fields.status_ + sizeof(fields.status_), status);
    (void)ec;
    fields.nva_.push_back(nv(":status", std::string_view(fields.status_, end - fields.status_)));
    fields.offsets_.push_back(kNoOffset);
    return fields;
  }
  void add(std::string_view name, std::string_view value) {
    offsets_.push_back(names_.size());
    for (char c : name) names_.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    nva_.push_back(nv(std::string_view(), value));
    nva_.back().namelen = name.size();
  }
  // The arena no longer grows: point the names into it.
  std::vector<nghttp2_nv>& finish() {
    for (size_t i = 0; i < nva_.size(); ++i) {
      if (offsets_[i] == kNoOffset) continue;
      nva_[i].name = reinterpret_cast<uint8_t*>(names_.data() + offsets_[i]);
    }
    return nva_;
  }

 private:
  static constexpr size_t kNoOffset = ~size_t{0};
  char status_[8] = {};
  std::string names_;
  std::vector<size_t> offsets_;
  std::vector<nghttp2_nv> nva_;
};

}  // namespace

Stream::Stream(Session& session, int32_t id) : session_(session), id_(id) {
  begun_ = std::chrono::steady_clock::now();
  arrived_ = std::chrono::system_clock::now();
}

Stream::~Stream() = default;

void Stream::reuse(int32_t id) {
  id_ = id;
  method_.clear();
  scheme_.clear();
  authority_.clear();
  path_.clear();
  cookie_.clear();
  fieldText_.clear();
  fields_.clear();
  headers_.clear();
  headerBytes_ = 0;
  headerTooLarge_ = false;
  hasContentLength_ = false;
  contentLength_ = 0;
  exchange_.reset();
  local_ = false;
  localBody_.clear();
  requestBody_.clear();
  requestBodyBytes_ = 0;
  unconsumed_ = 0;
  requestDone_ = false;
  refused_ = false;
  started_ = false;
  responseBody_.clear();
  trailers_.clear();
  responseSubmitted_ = false;
  responseDone_ = false;
  deferred_ = false;
  finished_ = false;
  status_ = 0;
  begun_ = std::chrono::steady_clock::now();
  arrived_ = std::chrono::system_clock::now();
  bytesSent_ = 0;
}

void Stream::recycle() {
  if (forward_) {
    forward_->abort();
    forward_->releaseBuffers();
    spareForward_ = std::move(forward_);
  }
  exchange_.reset();
  requestBody_.clear();
  requestBody_.release();
  responseBody_.clear();
  responseBody_.release();
  // A large upload or cookie is not worth keeping for the next request.
  constexpr size_t kKeep = 4096;
  if (localBody_.capacity() > kKeep) std::string().swap(localBody_);
  if (fieldText_.capacity() > kKeep) std::string().swap(fieldText_);
  if (cookie_.capacity() > kKeep) std::string().swap(cookie_);
}

// ---- request ----

bool Stream::addHeader(std::string_view name, std::string_view value) {
  headerBytes_ += name.size() + value.size() + 32;  // RFC 9113 §6.5.2 accounting
  if (headerBytes_ > session_.context().config.limits.maxHeaderBytes) {
    headerTooLarge_ = true;  // answered with 431 once the head is complete
    return true;
  }
  if (headerTooLarge_) return true;
  if (!isValidField(name, value)) return false;
  if (name[0] == ':') {
    std::string* target = name == ":method"      ? &method_
                          : name == ":scheme"    ? &scheme_
                          : name == ":authority" ? &authority_
                          : name == ":path"      ? &path_
                                                 : nullptr;
    if (target == nullptr || !target->empty()) return false;  // unknown or repeated
    target->assign(value);
    return true;
  }
  if (isConnectionSpecific(name, value)) return false;
  if (name == "cookie") {
    // Crumbs (RFC 9113 §8.2.3) go back together for an HTTP/1.1 upstream and for the chain.
    if (!cookie_.empty()) cookie_.append("; ");
    cookie_.append(value);
    return true;
  }
  if (name == "content-length") {
    uint64_t length = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (ec != std::errc() || end != value.data() + value.size() || value.empty()) return false;
    if (hasContentLength_ && length != contentLength_) return false;
    hasContentLength_ = true;
    contentLength_ = length;
  }
  if (name == "host" && !authority_.empty()) return true;  // :authority wins
  fields_.push_back({static_cast<uint32_t>(fieldText_.size()), static_cast<uint32_t>(name.size()),
                     static_cast<uint32_t>(value.size())});
  fieldText_.append(name);
  fieldText_.append(value);
  return true;
}

void Stream::headersDone(bool endStream) {
  requestDone_ = endStream;
  started_ = true;
  if (headerTooLarge_) {
    ProxyMetrics::get().badRequest("header_too_large");
    sendError(431);
    return;
  }
  if (method_.empty() || path_.empty() || scheme_.empty() || method_ == "CONNECT") {
    // nghttp2 already refuses missing pseudo-headers; CONNECT tunnels are not offered.
    ProxyMetrics::get().badRequest("h2_malformed");
    reset(NGHTTP2_PROTOCOL_ERROR);
    return;
  }
  // Host first (from :authority), then the fields in arrival order, then the joined cookie.
  headers_.clear();
  headers_.reserve(fields_.size() + 2);
  if (!authority_.empty()) headers_.push_back({"host", authority_});
  const std::string_view text = fieldText_;
  for (const FieldSpan& f : fields_) {
    headers_.push_back(
        {text.substr(f.offset, f.nameLength), text.substr(f.offset + f.nameLength, f.valueLength)});
  }
  if (!cookie_.empty()) headers_.push_back({"cookie", cookie_});
  startRequest();
}

void Stream::startRequest() {
  const auto& config = session_.context().config;
  if (hasContentLength_ && contentLength_ > config.limits.maxBodyBytes) {
    ProxyMetrics::get().badRequest("body_too_large");
    sendError(413);
    return;
  }
  const std::string_view host =
      authority_.empty() ? (findHeader(headers_, "host") ? findHeader(headers_, "host")->value
                                                         : std::string_view())
                         : std::string_view(authority_);
  const bool peerTrusted =
      !config.trustedProxies.empty() && isTrusted(session_.peer(), config.trustedProxies);
  const IpAddress client = peerTrusted
                               ? resolveClientIp(session_.peer(), headers_, config.trustedProxies)
                               : session_.peer();
  if (auto* chain = session_.context().chain.get()) {
    filters::RequestInfo info;
    info.method = method_;
    info.target = path_;
    info.host = host;
    info.scheme = session_.secure() ? "https" : "http";
    info.protocol = "HTTP/2";
    info.headers = headers_;
    info.peer = session_.peer();
    info.client = client;
    info.time = arrived_;
    info.worker = session_.worker().index();
    exchange_ = chain->begin(info);
    if (exchange_ && exchange_->isLocal()) {
      local_ = true;
      if (hasContentLength_ && contentLength_ > exchange_->bodyLimit()) {
        sendError(413);
        return;
      }
      if (requestDone_) answerLocal();
      return;
    }
  }
  std::string_view path = path_;
  const int upstreamIndex = session_.context().router.match(host, path);
  if (upstreamIndex < 0) {
    sendError(session_.context().upstreams.empty() ? 502 : 404);
    return;
  }
  UpstreamRuntime& upstream = *session_.context().upstreams[static_cast<size_t>(upstreamIndex)];
  if (spareForward_) {
    forward_ = std::move(spareForward_);  // same session, so the same loop and limits
  } else {
    forward_ =
        std::make_unique<UpstreamExchange>(static_cast<UpstreamExchange::Owner&>(*this),
                                           session_.worker().base(), session_.context().limits);
  }
  UpstreamHead head;
  head.method = method_;
  head.target = path_;
  head.headers = headers_;
  head.hasHost = !host.empty();
  if (!upstream.serverText.empty()) head.defaultHost = upstream.serverText.front();
  // Without a content-length the body length is known only at END_STREAM: chunked upstream.
  head.chunked = !requestDone_ && !hasContentLength_;
  if (hasContentLength_) head.contentLength = contentLength_;
  head.forward =
      ForwardInfo{session_.peer(), peerTrusted, session_.secure() ? "https" : "http", host};
  appendUpstreamHead(forward_->headBuffer(), head);
  UpstreamExchange::Request request;
  request.method = method_;
  request.idempotent = UpstreamExchange::isIdempotent(method_);
  request.chunked = head.chunked;
  request.bodyDone = requestDone_;
  request.bodyTimeout = config.limits.bodyTimeout;
  forward_->start(upstream, request);
}

void Stream::body(std::string_view data) {
  if (refused_) {
    // Answered already (413 and the like): give the window back, drop the bytes.
    nghttp2_session_consume(session_.nghttp2(), id_, data.size());
    return;
  }
  requestBodyBytes_ += data.size();
  unconsumed_ += data.size();
  const uint64_t limit =
      local_ && exchange_ ? exchange_->bodyLimit() : session_.context().config.limits.maxBodyBytes;
  if (requestBodyBytes_ > limit) {
    ProxyMetrics::get().badRequest("body_too_large");
    if (!responseSubmitted_) {
      sendError(413);
    } else {
      reset(NGHTTP2_CANCEL);
    }
    return;
  }
  if (local_) {
    localBody_.append(data);
    nghttp2_session_consume(session_.nghttp2(), id_, data.size());
    unconsumed_ -= data.size();
    return;
  }
  if (!forward_ || finished_) {
    // Answered already (error) or not forwarded: give the window back, drop the bytes.
    nghttp2_session_consume(session_.nghttp2(), id_, data.size());
    unconsumed_ -= data.size();
    return;
  }
  requestBody_.append(data);
  pumpRequestBody();
}

void Stream::endOfBody() {
  if (requestDone_) return;
  requestDone_ = true;
  if (local_) {
    if (!responseSubmitted_) answerLocal();
    return;
  }
  pumpRequestBody();
}

void Stream::pumpRequestBody() {
  if (!forward_) return;
  size_t taken = 0;
  while (!requestBody_.empty() && forward_->wantsBody()) {
    const size_t n = std::min(requestBody_.size(), kHighWater - forward_->queued());
    forward_->sendBody(std::string_view(requestBody_.data(), n));
    requestBody_.consume(n);
    taken += n;
  }
  if (taken > 0) {
    // The window reopens only for bytes the upstream side took: a slow origin slows the client.
    nghttp2_session_consume(session_.nghttp2(), id_, taken);
    unconsumed_ -= std::min(unconsumed_, taken);
  }
  if (requestDone_ && requestBody_.empty() && forward_->active() &&
      (forward_->wantsBody() || forward_->tunnel())) {
    forward_->endBody();
  }
}

void Stream::pump() {
  if (finished_) return;
  if (!forward_ || !forward_->active()) return;
  // Until the socket pushes back: a write that drains the queue completely would otherwise leave
  // body bytes here with no event left to move them, and the client waiting for its window.
  do {
    pumpRequestBody();
    if (!forward_->flush()) return;
  } while (!requestBody_.empty() && forward_->wantsBody() && forward_->queued() == 0);
  if (upstreamRoom()) forward_->resume();
  forward_->updateInterest();
}

// ---- local answers ----

void Stream::answerLocal() {
  exchange_->onRequestBody(localBody_);
  filters::LocalResponse response = exchange_->localResponse();
  ResponseFields& fields = ResponseFields::start(response.status);
  for (const auto& [name, value] : response.headers) fields.add(name, value);
  const std::string length = std::to_string(response.body.size());
  fields.add("content-length", length);
  responseBody_.append(response.body);
  responseDone_ = true;
  submit(fields.finish(), response.status, method_ == "HEAD" || response.body.empty());
  localBody_.clear();
}

void Stream::sendError(int status) {
  if (responseSubmitted_) {
    reset(NGHTTP2_INTERNAL_ERROR);
    return;
  }
  if (forward_) forward_->abort();
  static constexpr std::string_view kText = "text/plain";
  std::string body = std::to_string(status) + "\n";
  const std::string length = std::to_string(body.size());
  ResponseFields& fields = ResponseFields::start(status);
  fields.add("content-type", kText);
  fields.add("content-length", length);
  responseBody_.clear();
  responseBody_.append(body);
  responseDone_ = true;
  submit(fields.finish(), status, method_ == "HEAD");
  // Request body still coming is dropped; nghttp2 resets the stream with NO_ERROR once the
  // answer is out (RFC 9113 §8.1).
  refused_ = true;
  requestBody_.clear();
  if (unconsumed_ > 0) {
    nghttp2_session_consume(session_.nghttp2(), id_, unconsumed_);
    unconsumed_ = 0;
  }
}

void Stream::submit(std::vector<nghttp2_nv>& nva, int status, bool noBody) {
  status_ = status;
  responseSubmitted_ = true;
  if (noBody) {
    responseBody_.clear();
    nghttp2_submit_response(session_.nghttp2(), id_, nva.data(), nva.size(), nullptr);
    return;
  }
  nghttp2_data_provider provider{};
  provider.source.ptr = this;
  provider.read_callback = &readBody;
  nghttp2_submit_response(session_.nghttp2(), id_, nva.data(), nva.size(), &provider);
}

ssize_t Stream::readBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                         nghttp2_data_source* source, void*) {
  auto* self = static_cast<Stream*>(source->ptr);
  const size_t n = std::min(length, self->responseBody_.size());
  if (n > 0) {
    std::memcpy(buf, self->responseBody_.data(), n);
    self->responseBody_.consume(n);
    self->bytesSent_ += n;
  }
  if (self->responseBody_.empty()) {
    // Thousands of streams may wait on their upstreams: only those with bytes to send hold a block.
    self->responseBody_.release();
    if (self->responseDone_) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!self->trailers_.empty() && self->submitTrailers()) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;  // the trailing HEADERS ends it
      }
    } else if (n == 0) {
      self->deferred_ = true;  // resumed when the upstream delivers more
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  return static_cast<ssize_t>(n);
}

bool Stream::submitTrailers() {
  // RFC 9110 §6.5.1: no framing, routing, content or control fields in a trailer section.
  static constexpr std::string_view kForbidden[] = {"content-length",
                                                    "transfer-encoding",
                                                    "host",
                                                    "te",
                                                    "trailer",
                                                    "connection",
                                                    "keep-alive",
                                                    "proxy-connection",
                                                    "upgrade",
                                                    "content-type",
                                                    "content-encoding",
                                                    "content-range",
                                                    "cache-control",
                                                    "expires",
                                                    "date",
                                                    "location",
                                                    "set-cookie",
                                                    "authorization",
                                                    "www-authenticate",
                                                    "proxy-authenticate",
                                                    "age",
                                                    "vary",
                                                    "retry-after"};
  ResponseFields& fields = ResponseFields::trailers();
  std::string_view rest = trailers_;
  while (!rest.empty()) {
    const size_t end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    HeaderField field;  // the chunked decoder validated these lines; the scanner splits them
    if (http1::detail::scanField(line, true, field).status == http1::Status::Error) continue;
    bool forbidden = false;
    for (std::string_view f : kForbidden) forbidden = forbidden || equalsIgnoreCase(field.name, f);
    if (!forbidden) fields.add(field.name, field.value);
  }
  if (fields.size() == 0) return false;
  std::vector<nghttp2_nv>& nva = fields.finish();
  return nghttp2_submit_trailer(session_.nghttp2(), id_, nva.data(), nva.size()) == 0;
}

void Stream::resumeBody() {
  if (!deferred_) return;
  deferred_ = false;
  nghttp2_session_resume_data(session_.nghttp2(), id_);
}

void Stream::reset(uint32_t errorCode) {
  if (forward_) forward_->abort();
  nghttp2_submit_rst_stream(session_.nghttp2(), NGHTTP2_FLAG_NONE, id_, errorCode);
}

// ---- upstream (UpstreamExchange::Owner) ----

void Stream::onUpstreamReady() {
  pumpRequestBody();
}

void Stream::onUpstreamInterim(const http1::ResponseHead& head, std::string_view) {
  // 100 Continue is ours to answer (the body is read anyway); others (103 Early Hints, 102) go
  // to the client as an informational HEADERS frame before the final response.
  if (head.status == 100 || responseSubmitted_) return;
  ResponseFields& fields = ResponseFields::start(head.status);
  auto tokens = ConnectionTokens::from(head.headers);
  for (const auto& h : head.headers) {
    if (!isHopByHop(h.name, tokens)) fields.add(h.name, h.value);
  }
  std::vector<nghttp2_nv>& nva = fields.finish();
  nghttp2_submit_headers(session_.nghttp2(), NGHTTP2_FLAG_NONE, id_, nullptr, nva.data(),
                         nva.size(), nullptr);
}

void Stream::onUpstreamHead(const http1::ResponseHead& head, std::string_view) {
  filters::ResponseEdits edits;
  if (exchange_) exchange_->onResponseHeaders(head.status, head.headers, edits);
  ResponseFields& fields = ResponseFields::start(head.status);
  auto tokens = ConnectionTokens::from(head.headers);
  for (size_t i = 0; i < head.headers.size(); ++i) {
    const auto& h = head.headers[i];
    if (isHopByHop(h.name, tokens)) continue;
    bool removed = false;
    for (size_t r : edits.removeHeaders) removed = removed || r == i;
    if (removed) continue;
    fields.add(h.name, h.value);
  }
  for (const auto& [name, value] : edits.addHeaders) fields.add(name, value);
  const bool noBody = head.body == http1::BodyKind::None ||
                      (head.body == http1::BodyKind::Length && head.contentLength == 0);
  if (noBody) responseDone_ = true;
  submit(fields.finish(), head.status, noBody);
}

void Stream::onUpstreamBody(std::string_view data) {
  responseBody_.append(data);
  resumeBody();
}

void Stream::onUpstreamDone() {
  responseDone_ = true;
  if (forward_) trailers_.assign(forward_->responseTrailers());
  resumeBody();
}

void Stream::onUpstreamFailed(int status) {
  if (status == 0 || responseSubmitted_) {
    reset(NGHTTP2_INTERNAL_ERROR);  // cut short: only a reset tells the client
    return;
  }
  sendError(status);
}

bool Stream::upstreamRoom() const {
  return responseBody_.size() < kHighWater;
}

void Stream::onUpstreamEvent() {
  session_.flushSoon();
}

// ---- end of the stream ----

void Stream::closed(uint32_t errorCode) {
  if (finished_) return;
  finished_ = true;
  if (forward_) forward_->abort();
  if (unconsumed_ > 0) {
    nghttp2_session_consume_connection(session_.nghttp2(), unconsumed_);
    unconsumed_ = 0;
  }
  if (!started_) return;
  const bool delivered =
      errorCode == NGHTTP2_NO_ERROR && responseDone_ && responseSubmitted_ && responseBody_.empty();
  if (status_ != 0) {
    auto& metrics = ProxyMetrics::get();
    metrics.requests(status_, ProxyMetrics::Protocol::Http2).inc();
    metrics.duration(ProxyMetrics::Protocol::Http2)
        .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - begun_).count());
    admin::AccessLog* log = session_.worker().server().accessLog();
    if (log != nullptr && log->enabled()) {
      admin::AccessLogEntry entry;
      entry.time = arrived_;
      entry.client = session_.peer();
      entry.method = method_;
      entry.target = path_;
      entry.protocol = "HTTP/2";
      entry.status = status_;
      entry.bytesSent = bytesSent_;
      entry.duration = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - begun_);
      if (forward_ && forward_->upstream() != nullptr && forward_->server() >= 0) {
        entry.upstream = forward_->upstream()->serverText[static_cast<size_t>(forward_->server())];
      }
      log->record(session_.worker().index(), entry);
    }
  }
  if (exchange_) {
    // A response the client never fully received did not happen, for telemetry.
    exchange_->onComplete(delivered ? status_ : 0);
    exchange_.reset();
  }
}

}  // namespace consentry::proxy::http2
