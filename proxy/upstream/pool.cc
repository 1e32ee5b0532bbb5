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
  if (event_initialized(&idleTimer)) event_del(&idleTimer);
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

bool attachUpstreamConn(UpstreamConn& conn, event_base* base, event_callback_fn onRead,
                        event_callback_fn onWrite, void* owner) {
  conn.handler = onRead;
  conn.owner = owner;
  if (!conn.eventsSet) {
    event_assign(&conn.readEvent, base, conn.fd, EV_READ | EV_PERSIST, &ConnectionPool::onIdleEvent,
                 &conn);
    conn.eventsSet = true;
  } else {
    event_del(&conn.writeEvent);
  }
  event_assign(&conn.writeEvent, base, conn.fd, EV_WRITE | EV_PERSIST, onWrite, owner);
  return conn.readAdded;
}

ConnectionPool::ConnectionPool(event_base* base, size_t servers, uint32_t keepalive,
                               std::chrono::milliseconds idleTimeout)
    : base_(base), keepalive_(keepalive), idleTimeout_(idleTimeout), idle_(servers) {}

ConnectionPool::~ConnectionPool() = default;

std::unique_ptr<UpstreamConn> ConnectionPool::take(int server) {
  auto& stack = idle_[server];
  if (stack.empty()) return nullptr;
  auto conn = std::move(stack.back());
  stack.pop_back();
  if (idleTimeout_.count() > 0) event_del(&conn->idleTimer);
  conn->pool = nullptr;
  conn->reused = true;
  return conn;
}

void ConnectionPool::put(std::unique_ptr<UpstreamConn> conn) {
  auto& stack = idle_[conn->server];
  if (stack.size() >= keepalive_) return;  // conn's destructor closes it
  if (!conn->eventsSet) {
    event_assign(&conn->readEvent, base_, conn->fd, EV_READ | EV_PERSIST, &onIdleEvent, conn.get());
    event_assign(&conn->writeEvent, base_, conn->fd, EV_WRITE, &onIdleEvent, conn.get());
    conn->eventsSet = true;
  }
  event_del(&conn->writeEvent);
  if (idleTimeout_.count() > 0) {
    // The timer shares the read callback: firing while idle drops the connection.
    evtimer_assign(&conn->idleTimer, base_, &onIdleEvent, conn.get());
    timeval tv{static_cast<time_t>(idleTimeout_.count() / 1000),
               static_cast<suseconds_t>((idleTimeout_.count() % 1000) * 1000)};
    event_add(&conn->idleTimer, &tv);
  }
  conn->handler = nullptr;
  conn->owner = nullptr;
  conn->pool = this;
  if (!conn->readAdded) {
    event_add(&conn->readEvent, nullptr);
    conn->readAdded = true;
  }
  stack.push_back(std::move(conn));
}

void ConnectionPool::onIdleEvent(evutil_socket_t fd, short what, void* arg) {
  auto* conn = static_cast<UpstreamConn*>(arg);
  if (conn->pool != nullptr) {
    conn->pool->drop(conn);  // any byte or EOF while idle: the origin is done with it
  } else if (conn->handler != nullptr) {
    conn->handler(fd, what, conn->owner);
  }
}

void ConnectionPool::drop(UpstreamConn* conn) {
  auto& stack = idle_[conn->server];
  auto it =
      std::find_if(stack.begin(), stack.end(),
                   [conn](const std::unique_ptr<UpstreamConn>& c) { return c.get() == conn; });
  if (it != stack.end()) stack.erase(it);
}

}  // namespace consentry::upstream
