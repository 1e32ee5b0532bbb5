#include "proxy/upstream/pool.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>

namespace consentry::upstream {
namespace {

using namespace std::chrono_literals;

struct Base {
  Base() : base(event_base_new()) {}
  ~Base() { event_base_free(base); }
  event_base* base;
};

// A connected socket pair: the pool holds `ours`, the test plays the origin with `theirs`.
struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    ours = fds[0];
    theirs = fds[1];
  }
  ~Pair() { ::close(theirs); }
  int ours, theirs;
};

void runFor(event_base* base, std::chrono::milliseconds ms) {
  timeval tv{0, static_cast<suseconds_t>(ms.count() * 1000)};
  event_base_loopexit(base, &tv);
  event_base_dispatch(base);
}

struct Owner {
  int reads = 0;
  static void onRead(evutil_socket_t fd, short, void* arg) {
    char buf[64];
    while (::read(fd, buf, sizeof(buf)) > 0) {
    }
    ++static_cast<Owner*>(arg)->reads;
  }
  static void onWrite(evutil_socket_t, short, void*) {}
};

TEST(ConnectionPool, IdleConnectionClosedAfterIdleTimeout) {
  Base b;
  Pair p;
  ConnectionPool pool(b.base, 1, 8, 30ms);
  pool.put(std::make_unique<UpstreamConn>(p.ours, 0));
  EXPECT_EQ(pool.idleCount(0), 1u);
  runFor(b.base, 10ms);
  EXPECT_EQ(pool.idleCount(0), 1u);
  runFor(b.base, 60ms);
  EXPECT_EQ(pool.idleCount(0), 0u);
  char c;
  EXPECT_EQ(::read(p.theirs, &c, 1), 0);  // our side was closed: the origin sees EOF
}

TEST(ConnectionPool, TakenConnectionIsNotClosedByIdleTimer) {
  Base b;
  Pair p;
  ConnectionPool pool(b.base, 1, 8, 20ms);
  pool.put(std::make_unique<UpstreamConn>(p.ours, 0));
  auto conn = pool.take(0);
  ASSERT_NE(conn, nullptr);
  EXPECT_TRUE(conn->reused);
  runFor(b.base, 50ms);
  char c = 'x';
  EXPECT_EQ(::write(p.theirs, &c, 1), 1);  // still open
}

TEST(ConnectionPool, IdleByteDropsConnection) {
  Base b;
  Pair p;
  ConnectionPool pool(b.base, 1, 8);
  pool.put(std::make_unique<UpstreamConn>(p.ours, 0));
  char c = 'x';
  ASSERT_EQ(::write(p.theirs, &c, 1), 1);
  runFor(b.base, 20ms);
  EXPECT_EQ(pool.idleCount(0), 0u);
}

TEST(ConnectionPool, ReadEventFollowsOwnerWhileInUseAndPoolWhileIdle) {
  Base b;
  Pair p;
  ConnectionPool pool(b.base, 1, 8);
  Owner owner;
  auto conn = std::make_unique<UpstreamConn>(p.ours, 0);
  EXPECT_FALSE(attachUpstreamConn(*conn, b.base, &Owner::onRead, &Owner::onWrite, &owner));
  event_add(&conn->readEvent, nullptr);
  conn->readAdded = true;
  pool.put(std::move(conn));
  conn = pool.take(0);
  ASSERT_NE(conn, nullptr);
  // Still registered from its first use: attaching again needs no event_add.
  EXPECT_TRUE(attachUpstreamConn(*conn, b.base, &Owner::onRead, &Owner::onWrite, &owner));
  char c = 'x';
  ASSERT_EQ(::write(p.theirs, &c, 1), 1);
  runFor(b.base, 20ms);
  EXPECT_EQ(owner.reads, 1);
  pool.put(std::move(conn));
  ASSERT_EQ(::write(p.theirs, &c, 1), 1);
  runFor(b.base, 20ms);
  EXPECT_EQ(owner.reads, 1);  // idle: the pool got it, not the former owner
  EXPECT_EQ(pool.idleCount(0), 0u);
}

TEST(ConnectionPool, FullStackClosesExtraConnection) {
  Base b;
  Pair p1, p2;
  ConnectionPool pool(b.base, 1, 1);
  pool.put(std::make_unique<UpstreamConn>(p1.ours, 0));
  pool.put(std::make_unique<UpstreamConn>(p2.ours, 0));
  EXPECT_EQ(pool.idleCount(0), 1u);
  char c;
  EXPECT_EQ(::read(p2.theirs, &c, 1), 0);
}

}  // namespace
}  // namespace consentry::upstream
