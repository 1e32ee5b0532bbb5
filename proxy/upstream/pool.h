#pragma once
// Per-worker keep-alive pool of idle upstream connections, one LIFO stack per server. An idle
// connection is watched for readability: any byte or EOF while idle means the origin closed it
// (or broke the protocol), so it is dropped.

#include <event2/event.h>
#include <event2/event_struct.h>

#include <chrono>
#include <memory>
#include <vector>

namespace consentry::upstream {

// One TCP connection to an origin server. The fd and events are released by the destructor.
// The read event stays registered from first use to close, idle or not: its callback goes to the
// pool while idle and to `handler(owner)` while in use, so a request costs no epoll_ctl churn.
struct UpstreamConn {
  UpstreamConn(int fd, int server) : fd(fd), server(server) {}
  ~UpstreamConn();
  UpstreamConn(const UpstreamConn&) = delete;
  UpstreamConn& operator=(const UpstreamConn&) = delete;

  int fd;
  int server;
  bool reused = false;     // taken from the pool (may be stale)
  bool eventsSet = false;  // readEvent/writeEvent assigned
  event readEvent{};
  event writeEvent{};
  event idleTimer{};                     // pending while idle in a pool
  class ConnectionPool* pool = nullptr;  // set while idle in a pool
  event_callback_fn handler = nullptr;   // the owner's read callback while in use
  void* owner = nullptr;
  bool readAdded = false;  // readEvent is registered with the event base
};

// Points the connection's events at `owner`: reads go to `onRead`, writability to `onWrite`.
// Assigns the read event on first use only; returns whether it is already registered.
bool attachUpstreamConn(UpstreamConn& conn, event_base* base, event_callback_fn onRead,
                        event_callback_fn onWrite, void* owner);

// Opens a non-blocking TCP connection; returns -1 and sets errno on immediate failure.
int openUpstreamSocket(const struct sockaddr* address, unsigned length, bool* connected);

class ConnectionPool {
 public:
  // Idle connections are closed after `idleTimeout` (zero: kept until the origin closes them).
  ConnectionPool(event_base* base, size_t servers, uint32_t keepalive,
                 std::chrono::milliseconds idleTimeout = {});
  ~ConnectionPool();

  // An idle connection to `server`, events deleted and ready to be reassigned, or nullptr.
  std::unique_ptr<UpstreamConn> take(int server);
  // Keeps the connection idle, or closes it when the server's stack is full.
  void put(std::unique_ptr<UpstreamConn> conn);
  size_t idleCount(int server) const { return idle_[server].size(); }

 private:
  static void onIdleEvent(evutil_socket_t fd, short what, void* arg);
  friend bool attachUpstreamConn(UpstreamConn&, event_base*, event_callback_fn, event_callback_fn,
                                 void*);
  void drop(UpstreamConn* conn);

  event_base* base_;
  uint32_t keepalive_;
  std::chrono::milliseconds idleTimeout_;
  std::vector<std::vector<std::unique_ptr<UpstreamConn>>> idle_;
};

}  // namespace consentry::upstream
