#pragma once
// One HTTP/1.1 client connection on one worker: keep-alive with pipelined requests answered in
// order (one exchange at a time), request and response bodies streamed with backpressure,
// 100-continue, 1xx relay and Upgrade tunnelling. The upstream side of each forwarded request is
// an UpstreamExchange; buffers are released while the connection is idle.

#include <event2/event.h>
#include <event2/event_struct.h>

#include <chrono>
#include <memory>
#include <string>

#include "base/ip_address.h"
#include "filters/chain.h"
#include "proxy/byte_buffer.h"
#include "proxy/client_connection.h"
#include "proxy/client_stream.h"
#include "proxy/http1/parser.h"
#include "proxy/upstream_exchange.h"
#include "proxy/worker_context.h"

namespace consentry::proxy {

class Worker;

class Connection final : public ClientConnection, private UpstreamExchange::Owner {
 public:
  // `stream` is the accepted client socket, with TLS already negotiated when the listener has it.
  // `h2c`: a connection opening with the HTTP/2 preface switches to HTTP/2 (prior knowledge).
  Connection(Worker& worker, std::shared_ptr<WorkerContext> context, ClientStream stream,
             const IpAddress& peer, bool h2c);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() override;
  // Drain: closes the connection now if it is between requests, else answers the current request
  // with Connection: close.
  void drain() override;
  bool closed() const { return closed_; }
  // Closes at once (worker shutdown).
  void abort() override { close(); }

 private:
  enum class State : uint8_t { Head, LocalBody, Forwarding, Tunnel, Closing };
  enum class Timer : uint8_t { None, Idle, Header };

  static void onClientRead(evutil_socket_t, short, void* arg);
  static void onClientWrite(evutil_socket_t, short, void* arg);
  static void onTimer(evutil_socket_t, short, void* arg);

  // UpstreamExchange::Owner
  void onUpstreamReady() override;
  void onUpstreamInterim(const http1::ResponseHead& head, std::string_view raw) override;
  void onUpstreamHead(const http1::ResponseHead& head, std::string_view raw) override;
  void onUpstreamBody(std::string_view data) override;
  void onUpstreamDone() override;
  void onUpstreamFailed(int status) override;
  bool upstreamRoom() const override;
  void onUpstreamEvent() override;

  void readClient();
  void process();
  // The h2c preface: true when in_ holds it (the connection then switched) or may still become it.
  bool awaitHttp2();
  void startRequest(const http1::RequestHead& parsed);
  void startLocal(size_t headBytes);
  void finishLocal();
  bool pumpRequestBody();
  void writeResponseHead(const http1::ResponseHead& head);
  void finishExchange(int status);
  void completeExchange(bool delivered);
  void enterTunnel(std::string_view raw);

  void sendError(int status, bool close);
  void flush();
  bool flushClient();
  void updateInterest();
  void armTimer(Timer kind, std::chrono::milliseconds after);
  void close();

  Worker& worker_;
  std::shared_ptr<WorkerContext> context_;
  ClientStream stream_;
  IpAddress peer_;
  bool tls_;
  event readEvent_{};
  event writeEvent_{};
  event timer_{};
  bool reading_ = false, writing_ = false;
  Timer timerKind_ = Timer::None;
  State state_ = State::Head;
  bool closed_ = false;
  bool clientEof_ = false;
  bool draining_ = false;
  bool h2c_ = false;  // the first bytes may still be the HTTP/2 preface

  ByteBuffer in_;   // from the client
  ByteBuffer out_;  // to the client

  // The current exchange.
  std::string method_;
  bool http10_ = false, keepAlive_ = true, idempotent_ = false, expectContinue_ = false;
  bool upgrade_ = false;
  http1::BodyKind requestBody_ = http1::BodyKind::None;
  uint64_t requestRemaining_ = 0;
  uint64_t requestBodyBytes_ = 0;
  bool requestDone_ = true;
  std::unique_ptr<http1::ChunkedDecoder> requestChunks_;  // while a chunked body is read
  std::string localBody_;
  std::unique_ptr<filters::Exchange> exchange_;
  // The upstream side of a forwarded request; dropped while the connection is idle.
  std::unique_ptr<UpstreamExchange> forward_;
  UpstreamRuntime* upstream_ = nullptr;
  bool headSent_ = false;    // response head written to the client
  bool closeAfter_ = false;  // close the client after this response
  bool dechunk_ = false;
  bool sentContinue_ = false;
  int status_ = 0;
  std::chrono::steady_clock::time_point started_;
  // Access log (filled only when it is enabled).
  std::chrono::system_clock::time_point arrived_;
  std::string target_;
  IpAddress client_;
  int server_ = -1;
  uint64_t written_ = 0;  // bytes written to the client over the connection's life
  uint64_t outMark_ = 0;  // written_ + out_.size() when the current exchange began
  // The finished exchange whose response is queued but not yet written: its log step (metrics,
  // access log, onComplete) runs once written_ reaches completionMark_, or as a failure if the
  // connection closes first. The next pipelined request waits for it.
  bool completionPending_ = false;
  int completionStatus_ = 0;
  uint64_t completionMark_ = 0;
};

}  // namespace consentry::proxy
