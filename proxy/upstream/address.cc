#include "proxy/upstream/address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace consentry::upstream {

Result<SocketAddress> resolveAddress(std::string_view hostPort) {
  std::string_view host, port;
  if (!hostPort.empty() && hostPort.front() == '[') {
    size_t close = hostPort.find(']');
    if (close == std::string_view::npos || close + 1 >= hostPort.size() ||
        hostPort[close + 1] != ':') {
      return makeError("bad address '" + std::string(hostPort) + "': expected [v6]:port");
    }
    host = hostPort.substr(1, close - 1);
    port = hostPort.substr(close + 2);
  } else {
    size_t colon = hostPort.rfind(':');
    if (colon == std::string_view::npos) {
      return makeError("bad address '" + std::string(hostPort) + "': expected host:port");
    }
    host = hostPort.substr(0, colon);
    port = hostPort.substr(colon + 1);
  }
  unsigned portNumber = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), portNumber);
  if (ec != std::errc() || end != port.data() + port.size() || portNumber > 65535) {
    return makeError("bad port in '" + std::string(hostPort) + "'");
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* result = nullptr;
  std::string hostString(host.empty() ? "0.0.0.0" : host);
  std::string portString(port);
  int rc = getaddrinfo(hostString.c_str(), portString.c_str(), &hints, &result);
  if (rc != 0 || result == nullptr) {
    return makeError("cannot resolve '" + std::string(hostPort) + "': " + gai_strerror(rc));
  }
  SocketAddress address;
  std::memcpy(&address.storage, result->ai_addr, result->ai_addrlen);
  address.length = result->ai_addrlen;
  freeaddrinfo(result);
  return address;
}

std::string formatAddress(const SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.family() == AF_INET6) {
    const auto* sa = reinterpret_cast<const sockaddr_in6*>(&address.storage);
    inet_ntop(AF_INET6, &sa->sin6_addr, text, sizeof(text));
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(sa->sin6_port));
  }
  const auto* sa = reinterpret_cast<const sockaddr_in*>(&address.storage);
  inet_ntop(AF_INET, &sa->sin_addr, text, sizeof(text));
  return std::string(text) + ":" + std::to_string(ntohs(sa->sin_port));
}

}  // namespace consentry::upstream
