#pragma once
// Per-worker keep-alive pool of idle upstream connections, one LIFO stack per server. An idle
// connection is watched for readability: any byte or EOF while idle means the origin closed it
// (or broke the protocol), so it is dropped.

#include <event2/event.h>
#include <event2/event_struct.h>

#include <memory>
#include <vector>

namespace consentry::upstream {

// One TCP connection to an origin server. The fd and events are released by the destructor.
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
  class ConnectionPool* pool = nullptr;  // set while idle in a pool
};

// Opens a non-blocking TCP connection; returns -1 and sets errno on immediate failure.
int openUpstreamSocket(const struct sockaddr* address, unsigned length, bool* connected);

class ConnectionPool {
 public:
  ConnectionPool(event_base* base, size_t servers, uint32_t keepalive);
  ~ConnectionPool();

  // An idle connection to `server`, events deleted and ready to be reassigned, or nullptr.
  std::unique_ptr<UpstreamConn> take(int server);
  // Keeps the connection idle, or closes it when the server's stack is full.
  void put(std::unique_ptr<UpstreamConn> conn);
  size_t idleCount(int server) const { return idle_[server].size(); }

 private:
  static void onIdleEvent(evutil_socket_t fd, short what, void* arg);
  void drop(UpstreamConn* conn);

  event_base* base_;
  uint32_t keepalive_;
  std::vector<std::vector<std::unique_ptr<UpstreamConn>>> idle_;
};

}  // namespace consentry::upstream
