#pragma once
// The upstream half of one proxied request, shared by HTTP/1.1 connections and HTTP/2 streams:
// picks a server through the balancer, takes a pooled connection or opens one (connect timeout),
// sends the serialized HTTP/1.1 head and the request body with backpressure, parses the response
// head, streams the response body to its owner, relays 1xx, retries idempotent requests that were
// never sent, enforces the response timeout, reports failures to the balancer (passive ejection)
// and returns reusable connections to the pool.
//
// Callbacks run on the worker's loop. The owner must not destroy the exchange from inside one of
// them; every event handler ends with Owner::onUpstreamEvent() and touches nothing after it, so the
// owner may destroy or restart the exchange there.

#include <event2/event.h>
#include <event2/event_struct.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "base/units.h"
#include "proxy/byte_buffer.h"
#include "proxy/http1/parser.h"
#include "proxy/upstream/pool.h"
#include "proxy/worker_context.h"

namespace consentry::proxy {

class UpstreamExchange {
 public:
  // Above this many bytes queued towards the upstream, the owner stops handing over body bytes.
  static constexpr size_t kHighWater = 256 * kKiB;

  class Owner {
   public:
    // The upstream takes request body bytes now: connected, or its queue drained.
    virtual void onUpstreamReady() = 0;
    // An interim (1xx, not 101) response; `raw` is its head as received.
    virtual void onUpstreamInterim(const http1::ResponseHead& head, std::string_view raw) = 0;
    // The final response head (views valid during the call). A 101 to an upgrade request turns
    // the exchange into a tunnel: body bytes both ways are then raw.
    virtual void onUpstreamHead(const http1::ResponseHead& head, std::string_view raw) = 0;
    virtual void onUpstreamBody(std::string_view data) = 0;
    // The response is complete (or the tunnel's upstream side closed).
    virtual void onUpstreamDone() = 0;
    // The exchange failed: `status` is 502 or 504 while no response head reached the owner, 0 when
    // the response was cut short after it.
    virtual void onUpstreamFailed(int status) = 0;
    // Whether the owner takes more response bytes now; when it did not, it calls resume() later.
    virtual bool upstreamRoom() const = 0;
    // Last call of every event handler: the owner flushes, may start or end exchanges.
    virtual void onUpstreamEvent() = 0;

   protected:
    ~Owner() = default;
  };

  struct Request {
    std::string_view method;
    bool idempotent = false;
    bool chunked = false;  // the body is sent with chunked framing (no Content-Length known)
    bool bodyDone = true;  // no body follows
    bool upgrade = false;  // a 101 is acceptable
    std::chrono::milliseconds bodyTimeout{};
  };

  // Methods retried on another server when the request never reached the first one.
  static bool isIdempotent(std::string_view method) {
    return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
           method == "DELETE";
  }

  UpstreamExchange(Owner& owner, event_base* base, const http1::Limits& limits);
  ~UpstreamExchange();
  UpstreamExchange(const UpstreamExchange&) = delete;
  UpstreamExchange& operator=(const UpstreamExchange&) = delete;

  // The buffer the owner fills with the upstream request head (request line and headers, ending
  // with the empty line) before start(); its capacity is reused.
  std::string& headBuffer() {
    head_.clear();
    return head_;
  }
  // Starts the exchange. May call onUpstreamFailed() before returning.
  void start(UpstreamRuntime& upstream, const Request& request);

  bool active() const { return state_ != State::Idle && state_ != State::Done; }
  bool tunnel() const { return state_ == State::Tunnel; }
  bool headReceived() const { return status_ != 0; }
  // Connected, body not finished, and room in the queue towards the upstream.
  bool wantsBody() const {
    return (state_ == State::Sending || state_ == State::Tunnel) && !bodyDone_ &&
           out_.size() < kHighWater;
  }
  size_t queued() const { return out_.size(); }
  // The trailer section of a decoded chunked response (raw field lines, each ending in CRLF),
  // valid during onUpstreamDone().
  std::string_view responseTrailers() const { return chunks_.trailers(); }
  // The server last picked (for the access log), -1 before one was.
  int server() const { return server_; }
  UpstreamRuntime* upstream() const { return upstream_; }

  // Request body bytes (framed for the upstream here), then the end of the body with the chunked
  // trailers if any. In a tunnel, raw bytes.
  void sendBody(std::string_view data);
  void endBody(std::string_view trailers = {});

  // Chunked response bodies go to the owner as received (framing included) when set during
  // onUpstreamHead(); else decoded.
  void passChunked(bool raw) { passChunked_ = raw; }

  // Writes what is queued to the upstream; false if that failed (onUpstreamFailed was called).
  bool flush();
  // The owner has room again: process buffered response bytes.
  void resume();
  // Registers read/write interest for the current state; the owner calls it after it flushed.
  void updateInterest();
  // Ends the exchange at once (client gone): the connection is closed, not pooled.
  void abort();
  // Releases buffers of a finished exchange.
  void releaseBuffers();

 private:
  enum class State : uint8_t { Idle, Connecting, Sending, Tunnel, Done };
  enum class Timer : uint8_t { None, Connect, Response };
  enum class Failure : uint8_t {
    ConnectRefused,
    ConnectTimeout,
    Stale,
    Reset,
    Timeout,
    BadResponse
  };

  static void onRead(evutil_socket_t, short, void* arg);
  static void onWrite(evutil_socket_t, short, void* arg);
  static void onTimer(evutil_socket_t, short, void* arg);

  void connect();
  void connected();
  void failed(Failure failure);
  void read();
  // Moves buffered response bytes to the owner; false once the exchange ended.
  bool process();
  void finish();
  void release(bool reusable);
  // Forgets the request bytes still queued and the response bytes not yet processed.
  void dropUnsent();
  void armTimer(Timer kind, std::chrono::milliseconds after);
  void cancelTimer();
  void armProgressTimer();

  Owner& owner_;
  event_base* base_;
  const http1::Limits& limits_;
  event timer_{};
  Timer timerKind_ = Timer::None;
  State state_ = State::Idle;

  UpstreamRuntime* upstream_ = nullptr;
  std::unique_ptr<upstream::UpstreamConn> up_;
  bool reading_ = false, writing_ = false;
  ByteBuffer in_;   // from the upstream
  ByteBuffer out_;  // to the upstream
  http1::ResponseHead response_;
  std::string head_;  // kept for a retry
  std::string method_;
  Request request_;
  bool bodyDone_ = true;
  bool bodyStarted_ = false;
  uint64_t triedServers_ = 0;
  uint32_t attempts_ = 0;
  int server_ = -1;
  bool upstreamBytes_ = false;  // any response byte received on the current connection
  int status_ = 0;
  uint64_t remaining_ = 0;
  http1::ChunkedDecoder chunks_;
  bool passChunked_ = false;
};

}  // namespace consentry::proxy
