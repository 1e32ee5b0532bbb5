#pragma once
// One HTTP/2 client connection (h2 over TLS, or h2c with prior knowledge): an nghttp2 server
// session fed from and drained into the ClientStream, one Stream (one upstream exchange) per
// request stream. Limits: concurrent streams, header list size, frame size; GOAWAY on drain;
// idle timeout while no stream is open, header timeout until the client's preface and SETTINGS.

#include <event2/event.h>
#include <event2/event_struct.h>
#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "proxy/byte_buffer.h"
#include "proxy/client_connection.h"
#include "proxy/client_stream.h"
#include "proxy/worker_context.h"

namespace consentry::proxy {
class Worker;
}

namespace consentry::proxy::http2 {

class Stream;

class Session final : public ClientConnection {
 public:
  static constexpr uint32_t kMaxConcurrentStreams = 100;
  // The 24 bytes an h2c client with prior knowledge opens with.
  static constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

  // `received`: bytes already read from the client (the preface seen by the HTTP/1.1 reader).
  Session(Worker& worker, std::shared_ptr<WorkerContext> context, ClientStream stream,
          const IpAddress& peer, std::string_view received = {});
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() override;
  void drain() override;
  void abort() override { close(); }

  // For streams.
  nghttp2_session* nghttp2() const { return session_; }
  Worker& worker() const { return worker_; }
  WorkerContext& context() const { return *context_; }
  const IpAddress& peer() const { return peer_; }
  bool secure() const { return stream_.secure(); }
  // Sends what nghttp2 has queued and writes it out; registers interest. Safe to call from
  // stream and upstream callbacks (not re-entered from nghttp2's own callbacks).
  void flush();
  // flush() once the upstream events ready in this loop iteration were handled: responses of
  // several streams then leave in one write.
  void flushSoon();

 private:
  static void onRead(evutil_socket_t, short, void* arg);
  static void onWrite(evutil_socket_t, short, void* arg);
  static void onTimer(evutil_socket_t, short, void* arg);
  static void onFlush(evutil_socket_t, short, void* arg);

  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                      void* user);
  static int onInvalidHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                             size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                             void* user);
  static int onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int onInvalidFrameRecv(nghttp2_session*, const nghttp2_frame* frame, int error,
                                void* user);
  static int onDataChunk(nghttp2_session*, uint8_t flags, int32_t id, const uint8_t* data,
                         size_t length, void* user);
  static int onStreamClose(nghttp2_session*, int32_t id, uint32_t errorCode, void* user);

  Stream* find(int32_t id);
  // A stream object for a new request: a recycled one of this session when there is one.
  std::unique_ptr<Stream> newStream(int32_t id);
  // Destroys or recycles the streams nghttp2 closed (no callback of theirs is on the stack).
  void reapClosed();
  void read();
  bool feed();
  void send();
  void updateInterest();
  void updateTimer();
  void close();

  Worker& worker_;
  std::shared_ptr<WorkerContext> context_;
  ClientStream stream_;
  IpAddress peer_;
  nghttp2_session* session_ = nullptr;
  event readEvent_{};
  event writeEvent_{};
  event timer_{};
  event flushEvent_{};
  bool flushPending_ = false;
  bool reading_ = false, writing_ = false;
  bool closed_ = false;
  bool draining_ = false;
  bool inNghttp2_ = false;  // inside nghttp2_session_mem_recv/mem_send: no flush from callbacks
  bool idleArmed_ = false;
  bool sawFrame_ = false;  // the preface and a first frame arrived: the header timeout is over
  ByteBuffer in_;
  ByteBuffer out_;
  uint64_t written_ = 0;
  // Open streams (at most kMaxConcurrentStreams); nghttp2's stream user data finds one by id.
  std::vector<std::unique_ptr<Stream>> streams_;
  // Streams closed by nghttp2, destroyed once no callback of theirs can be on the stack.
  std::vector<std::unique_ptr<Stream>> closedStreams_;
  // Closed streams kept for the next requests: a stream's strings, vectors and upstream exchange
  // object are then allocated once per connection, not once per request. Bounded by what a
  // client that keeps ten requests in flight recycles.
  static constexpr size_t kSpareStreams = 16;
  std::vector<std::unique_ptr<Stream>> spareStreams_;
};

}  // namespace consentry::proxy::http2
