#include "proxy/client_stream.h"

#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace consentry::proxy {

std::string_view ClientStream::alpn() const {
  if (!ssl_) return {};
  const unsigned char* data = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  return {reinterpret_cast<const char*>(data), length};
}

ssize_t ClientStream::read(ByteBuffer& buffer) {
  char* p = buffer.prepare(kReadChunk);
  if (!ssl_) {
    // recv, not read: a socket read through read() also goes through the VFS layer (file
    // position lock, access checks); recv goes to the socket directly (bench/RESULTS.md,
    // "Session 6").
    ssize_t n = ::recv(fd_, p, buffer.tailroom(), 0);
    if (n > 0) {
      buffer.commit(static_cast<size_t>(n));
      return n;
    }
    if (n == 0) return kEof;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? kWouldBlock : kError;
  }
  size_t n = 0;
  needsSocket_ = false;
  if (SSL_read_ex(ssl_.get(), p, buffer.tailroom(), &n) == 1) {
    buffer.commit(n);
    return static_cast<ssize_t>(n);
  }
  switch (SSL_get_error(ssl_.get(), 0)) {
    case SSL_ERROR_WANT_READ:
      needsSocket_ = true;
      return kWouldBlock;
    case SSL_ERROR_WANT_WRITE:
      return kWouldBlock;
    case SSL_ERROR_ZERO_RETURN:
      return kEof;
    default:
      ERR_clear_error();
      return kError;
  }
}

bool ClientStream::write(ByteBuffer& buffer, uint64_t& written) {
  while (!buffer.empty()) {
    if (!ssl_) {
      ssize_t n = ::send(fd_, buffer.data(), buffer.size(), MSG_NOSIGNAL);
      if (n > 0) {
        buffer.consume(static_cast<size_t>(n));
        written += static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    size_t n = 0;
    if (SSL_write_ex(ssl_.get(), buffer.data(), buffer.size(), &n) == 1) {
      buffer.consume(n);
      written += n;
      continue;
    }
    switch (SSL_get_error(ssl_.get(), 0)) {
      case SSL_ERROR_WANT_READ:
      case SSL_ERROR_WANT_WRITE:
        return true;  // SSL_MODE_ENABLE_PARTIAL_WRITE / moving buffer are set on the context
      default:
        ERR_clear_error();
        return false;
    }
  }
  return true;
}

void ClientStream::close() {
  if (fd_ < 0) return;
  if (ssl_) {
    SSL_set_quiet_shutdown(ssl_.get(), 0);
    (void)SSL_shutdown(ssl_.get());  // one attempt: sends close_notify if the socket takes it
    ERR_clear_error();
  }
  ::close(fd_);
  fd_ = -1;
}

}  // namespace consentry::proxy
