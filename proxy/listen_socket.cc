#include "proxy/listen_socket.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace consentry::proxy {

Result<int> openListenSocket(const upstream::SocketAddress& address) {
  int fd = ::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (address.family() == AF_INET6) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (::bind(fd, address.get(), address.length) != 0 || ::listen(fd, 4096) != 0) {
    int saved = errno;
    ::close(fd);
    return makeError("cannot listen on " + upstream::formatAddress(address) + ": " +
                     std::strerror(saved));
  }
  return fd;
}

upstream::SocketAddress boundAddress(int fd) {
  upstream::SocketAddress address;
  address.length = sizeof(address.storage);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &address.length);
  return address;
}

}  // namespace consentry::proxy
