#pragma once
// "host:port" / "[v6]:port" to a socket address, resolved once per config snapshot (never on the
// request path).

#include <sys/socket.h>

#include <string>
#include <string_view>

#include "base/result.h"

namespace consentry::upstream {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int family() const { return storage.ss_family; }
};

// Splits host and port; the host may be a name (resolved with getaddrinfo, first result), an IPv4
// literal or a bracketed IPv6 literal.
Result<SocketAddress> resolveAddress(std::string_view hostPort);

std::string formatAddress(const SocketAddress& address);  // "1.2.3.4:80", "[::1]:80"

}  // namespace consentry::upstream
