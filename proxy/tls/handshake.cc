#include "proxy/tls/handshake.h"

#include <openssl/err.h>
#include <unistd.h>

#include <cerrno>

#include "proxy/tls/tls_metrics.h"

namespace consentry::proxy::tls {
namespace {

timeval toTimeval(Duration d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

std::string_view versionLabel(SSL* ssl) {
  switch (SSL_version(ssl)) {
    case TLS1_3_VERSION:
      return "1.3";
    case TLS1_2_VERSION:
      return "1.2";
    default:
      return "other";
  }
}

}  // namespace

TlsHandshake::TlsHandshake(event_base* base, int fd, SslPtr ssl,
                           std::shared_ptr<const TlsListener> listener, const IpAddress& peer,
                           Duration timeout, Done done)
    : base_(base),
      fd_(fd),
      ssl_(std::move(ssl)),
      listener_(std::move(listener)),
      peer_(peer),
      timeout_(timeout),
      done_(std::move(done)) {
  event_assign(&io_, base_, fd_, EV_READ, &onIo, this);
  evtimer_assign(&timer_, base_, &onTimeout, this);
}

TlsHandshake::~TlsHandshake() {
  abort();
}

void TlsHandshake::start() {
  timeval tv = toTimeval(timeout_);
  event_add(&timer_, &tv);
  // The ClientHello usually arrived with the connection: try before waiting for readiness.
  step();
}

void TlsHandshake::abort() {
  finished_ = true;
  event_del(&io_);
  event_del(&timer_);
  ssl_.reset();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

ClientStream TlsHandshake::takeStream() {
  ClientStream stream(fd_, std::move(ssl_));
  fd_ = -1;
  return stream;
}

void TlsHandshake::onIo(evutil_socket_t, short, void* arg) {
  static_cast<TlsHandshake*>(arg)->step();
}

void TlsHandshake::onTimeout(evutil_socket_t, short, void* arg) {
  auto* self = static_cast<TlsHandshake*>(arg);
  TlsMetrics::failure("timeout");
  self->finish(false);
}

void TlsHandshake::step() {
  if (finished_) return;
  ERR_clear_error();
  errno = 0;
  const int result = SSL_do_handshake(ssl_.get());
  if (result == 1) {
    TlsMetrics::handshake(listener_->name(), versionLabel(ssl_.get()),
                          SSL_session_reused(ssl_.get()) == 1);
    finish(true);
    return;
  }
  const int savedErrno = errno;
  const int error = SSL_get_error(ssl_.get(), result);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    waitFor(error == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE);
    return;
  }
  TlsMetrics::failure(failureReason(error, ERR_peek_error(), savedErrno));
  ERR_clear_error();
  finish(false);
}

void TlsHandshake::waitFor(short what) {
  event_del(&io_);
  event_assign(&io_, base_, fd_, what, &onIo, this);
  event_add(&io_, nullptr);
}

void TlsHandshake::finish(bool ok) {
  if (finished_) return;
  finished_ = true;
  event_del(&io_);
  event_del(&timer_);
  if (!ok) {
    ssl_.reset();
    ::close(fd_);
    fd_ = -1;
  }
  done_(*this, ok);
}

std::string_view TlsHandshake::failureReason(int sslError, unsigned long errorCode,
                                             int savedErrno) {
  if (sslError == SSL_ERROR_ZERO_RETURN) return "eof";
  if (sslError == SSL_ERROR_SYSCALL) {
    return savedErrno == ECONNRESET ? "reset" : "eof";
  }
  if (sslError != SSL_ERROR_SSL) return "other";
  const int reason = ERR_GET_REASON(errorCode);
  switch (reason) {
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
      return "http_request";  // plain HTTP sent to the TLS port
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_UNKNOWN_PROTOCOL:
      return "version";
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SUITABLE_KEY_SHARE:
    case SSL_R_NO_SHARED_GROUPS:
      return "no_shared_cipher";
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      return "eof";
    default:
      break;
  }
  // The client sent an alert, typically because it does not trust the certificate.
  if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) return "peer_alert";
  return "protocol";
}

}  // namespace consentry::proxy::tls
