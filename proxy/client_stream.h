#pragma once
// The client side of a connection as a byte stream: a plain non-blocking socket, or TLS over it
// once the handshake is done. Concrete rather than virtual so that a plain connection pays one
// branch and no allocation; both HTTP/1.1 and HTTP/2 connections read and write through it.

#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string_view>

#include <sys/types.h>

#include "base/units.h"
#include "proxy/byte_buffer.h"

namespace consentry::proxy {

struct SslDeleter {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslDeleter>;

class ClientStream {
 public:
  static constexpr size_t kReadChunk = 16 * kKiB;
  // Result of read(): bytes read (> 0), or one of these.
  static constexpr ssize_t kEof = 0;
  static constexpr ssize_t kWouldBlock = -1;
  static constexpr ssize_t kError = -2;

  // Takes ownership of `fd` (closed by close() or the destructor) and of `ssl` (may be null: plain
  // TCP). With TLS the handshake must already be complete.
  ClientStream(int fd, SslPtr ssl) : fd_(fd), ssl_(std::move(ssl)) {}
  ~ClientStream() { close(); }
  ClientStream(const ClientStream&) = delete;
  ClientStream& operator=(const ClientStream&) = delete;
  ClientStream(ClientStream&& other) noexcept
      : fd_(other.fd_), ssl_(std::move(other.ssl_)), needsSocket_(other.needsSocket_) {
    other.fd_ = -1;
  }
  ClientStream& operator=(ClientStream&&) = delete;

  int fd() const { return fd_; }
  bool secure() const { return ssl_ != nullptr; }
  SSL* ssl() const { return ssl_.get(); }
  // The ALPN protocol the TLS handshake selected ("h2", "http/1.1"), empty without TLS or ALPN.
  std::string_view alpn() const;

  // Reads what is available into `buffer` (up to kReadChunk more bytes).
  ssize_t read(ByteBuffer& buffer);
  // Writes as much of `buffer` as the socket takes, adding the bytes written to `written`; false on
  // a hard error.
  bool write(ByteBuffer& buffer, uint64_t& written);
  // TLS may hold bytes the socket will never signal again (decrypted, or whole records taken in
  // by read-ahead): the owner must read once more, without waiting for readiness, while this is
  // true. Not after a read that needed the socket: then what is held is an incomplete record, and
  // the socket signals the rest.
  bool pending() const {
    return ssl_ != nullptr && !needsSocket_ && SSL_has_pending(ssl_.get()) == 1;
  }

  // Sends close_notify on TLS (best effort, never blocks) and closes the socket.
  void close();

 private:
  int fd_;
  SslPtr ssl_;
  bool needsSocket_ = false;  // the last TLS read wanted more bytes from the socket
};

}  // namespace consentry::proxy
