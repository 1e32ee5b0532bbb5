#pragma once
// One event loop thread: its own event_base, its own SO_REUSEPORT listening sockets, its own
// connections and upstream pools. Other threads talk to it only through drain()/stop(), which
// are safe to call from anywhere.

#include <event2/event.h>
#include <event2/event_struct.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/ip_address.h"
#include "proxy/client_connection.h"
#include "proxy/client_stream.h"
#include "proxy/event_loop.h"
#include "proxy/heap_release.h"
#include "proxy/tls/handshake.h"
#include "proxy/worker_context.h"

namespace consentry::proxy {

class Server;

struct ListenSocket {
  int fd = -1;
  bool tls = false;
  bool http2 = false;  // h2c prior knowledge on cleartext ("h2" in ALPN with TLS)
};

class Worker {
 public:
  // Whether this build has an HTTP/2 frontend: TLS listeners with http2: true offer "h2" in ALPN
  // only then.
  static constexpr bool kServesHttp2 = true;

  Worker(unsigned index, Server& server, std::vector<ListenSocket> sockets);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();  // spawns the thread
  void join();
  // Thread-safe: stop accepting, close idle connections, exit the loop once none is left.
  void drain();
  // Thread-safe: exit the loop now (drain timeout).
  void stop();
  // Thread-safe: switch to the server's latest snapshot now instead of at the next accept, so a
  // reload can tell when every worker serves it (adoptedGeneration()).
  void adoptLatest();
  uint64_t adoptedGeneration() const { return adopted_.load(std::memory_order_acquire); }

  event_base* base() const { return base_; }
  Server& server() const { return server_; }
  unsigned index() const { return index_; }
  bool draining() const { return draining_; }
  // Called by a connection that closed itself; it is destroyed after the current callback.
  void release(ClientConnection* connection);
  size_t connectionCount() const { return connections_.size(); }
  // Starts serving a client whose transport is ready (plain socket, or TLS after the handshake):
  // HTTP/2 when `http2` (ALPN "h2"), else HTTP/1.1.
  void adopt(ClientStream stream, const IpAddress& peer, bool http2);
  // An HTTP/1.1 connection that received the h2c preface hands its stream over: `from` is
  // destroyed after the current callback, an HTTP/2 session goes on with `received`.
  void switchToHttp2(ClientConnection* from, ClientStream stream, const IpAddress& peer,
                     std::string_view received);

 private:
  static void onAccept(evutil_socket_t fd, short, void* arg);
  static void onDrain(evutil_socket_t, short, void* arg);
  static void onReap(evutil_socket_t, short, void* arg);
  static void onAdopt(evutil_socket_t, short, void* arg);
  static void onHeapTick(evutil_socket_t, short, void* arg);
  void accept(size_t listener);
  void startHandshake(size_t listener, int fd, const IpAddress& peer);
  void handshakeDone(tls::TlsHandshake& handshake, bool ok);
  const std::shared_ptr<WorkerContext>& context();
  void beginDrain();
  void serve(std::unique_ptr<ClientConnection> connection);

  unsigned index_;
  Server& server_;
  event_base* base_;
  std::vector<ListenSocket> sockets_;
  std::vector<std::unique_ptr<event, void (*)(event*)>> acceptEvents_;
  std::vector<std::pair<Worker*, size_t>> acceptArgs_;
  event drainEvent_{};
  event reapEvent_{};
  event adoptEvent_{};
  // Gives a burst's memory back once it is over: this thread's cached I/O blocks, then every
  // arena's free pages. The worker does both, so the blocks are free before the trim runs.
  event heapTick_{};
  QuietTrimPolicy heapPolicy_;
  bool draining_ = false;
  std::atomic<bool> drainRequested_{false};
  std::atomic<bool> stopRequested_{false};
  std::shared_ptr<WorkerContext> context_;
  uint64_t generation_ = 0;
  BusyPoll busyPoll_;                 // of context_'s config, read by the event loop
  std::atomic<uint64_t> adopted_{0};  // generation_, published for the reloading thread
  std::unordered_map<ClientConnection*, std::unique_ptr<ClientConnection>> connections_;
  std::vector<std::unique_ptr<ClientConnection>> graveyard_;
  // TLS handshakes in progress: not connections yet, but closed on drain and stop like them.
  std::unordered_map<tls::TlsHandshake*, std::unique_ptr<tls::TlsHandshake>> handshakes_;
  std::vector<std::unique_ptr<tls::TlsHandshake>> finishedHandshakes_;
  std::thread thread_;
};

}  // namespace consentry::proxy
