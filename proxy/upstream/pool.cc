#include "proxy/upstream/pool.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace consentry::upstream {

UpstreamConn::~UpstreamConn() {
  if (eventsSet) {
    event_del(&readEvent);
    event_del(&writeEvent);
  }
  if (fd >= 0) ::close(fd);
}

int openUpstreamSocket(const sockaddr* address, unsigned length, bool* connected) {
  int fd = ::socket(address->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  *connected = false;
  if (::connect(fd, address, length) == 0) {
    *connected = true;
  } else if (errno != EINPROGRESS) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

ConnectionPool::ConnectionPool(event_base* base, size_t servers, uint32_t keepalive)
    : base_(base), keepalive_(keepalive), idle_(servers) {}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<UpstreamConn> ConnectionPool::take(int server) {
  auto& stack = idle_[server];
  if (stack.empty()) return nullptr;
  auto conn = std::move(stack.back());
  stack.pop_back();
  event_del(&conn->readEvent);
  conn->pool = nullptr;
  conn->reused = true;
  return conn;
}

void ConnectionPool::put(std::unique_ptr<UpstreamConn> conn) {
  auto& stack = idle_[conn->server];
  if (stack.size() >= keepalive_) return;  // conn's destructor closes it
  if (conn->eventsSet) {
    event_del(&conn->readEvent);
    event_del(&conn->writeEvent);
  }
  event_assign(&conn->readEvent, base_, conn->fd, EV_READ | EV_PERSIST, &onIdleEvent, conn.get());
  event_assign(&conn->writeEvent, base_, conn->fd, EV_WRITE, &onIdleEvent, conn.get());
  conn->eventsSet = true;
  conn->pool = this;
  event_add(&conn->readEvent, nullptr);
  stack.push_back(std::move(conn));
}

void ConnectionPool::onIdleEvent(evutil_socket_t, short, void* arg) {
  auto* conn = static_cast<UpstreamConn*>(arg);
  conn->pool->drop(conn);
}

void ConnectionPool::drop(UpstreamConn* conn) {
  auto& stack = idle_[conn->server];
  auto it =
      std::find_if(stack.begin(), stack.end(),
                   [conn](const std::unique_ptr<UpstreamConn>& c) { return c.get() == conn; });
  if (it != stack.end()) stack.erase(it);
}

}  // namespace consentry::upstream
