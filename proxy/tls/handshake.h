#pragma once
// One server-side TLS handshake driven by a worker's event loop: SSL_do_handshake is retried on
// the readiness it asks for, bounded by a deadline (limits.header_timeout), and reports once
// through `done`. On success the owner takes the ClientStream (socket + SSL); on failure the
// socket is already closed and the reason counted.

#include <event2/event.h>
#include <event2/event_struct.h>

#include <functional>
#include <memory>
#include <string_view>

#include "base/ip_address.h"
#include "base/units.h"
#include "proxy/client_stream.h"
#include "proxy/tls/tls_listener.h"

namespace consentry::proxy::tls {

class TlsHandshake {
 public:
  // Called exactly once from an event callback (or from start()); the owner must not destroy the
  // handshake inside the call, only schedule it.
  using Done = std::function<void(TlsHandshake& handshake, bool ok)>;

  // Takes ownership of `fd`; `ssl` comes from listener->accept(fd).
  TlsHandshake(event_base* base, int fd, SslPtr ssl, std::shared_ptr<const TlsListener> listener,
               const IpAddress& peer, Duration timeout, Done done);
  ~TlsHandshake();
  TlsHandshake(const TlsHandshake&) = delete;
  TlsHandshake& operator=(const TlsHandshake&) = delete;

  void start();
  // Closes the socket without reporting (worker drain or shutdown).
  void abort();
  // After a successful handshake: the negotiated stream.
  ClientStream takeStream();
  const IpAddress& peer() const { return peer_; }

  // The metric label for a failed SSL_do_handshake (SSL_get_error result + the error queue).
  static std::string_view failureReason(int sslError, unsigned long errorCode, int savedErrno);

 private:
  static void onIo(evutil_socket_t, short, void* arg);
  static void onTimeout(evutil_socket_t, short, void* arg);
  void step();
  void waitFor(short what);
  void finish(bool ok);

  event_base* base_;
  int fd_;
  SslPtr ssl_;
  std::shared_ptr<const TlsListener> listener_;
  IpAddress peer_;
  Duration timeout_;
  Done done_;
  event io_{};
  event timer_{};
  bool finished_ = false;
};

}  // namespace consentry::proxy::tls
