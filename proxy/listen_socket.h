#pragma once
// Listening sockets: one per worker and listener address, SO_REUSEPORT so the kernel spreads
// connections across workers without a shared accept lock.

#include <string>

#include "base/result.h"
#include "proxy/upstream/address.h"

namespace consentry::proxy {

// A non-blocking listening socket bound to `address` (IPv6 sockets are v6-only so that "[::]"
// and "0.0.0.0" can both be configured).
Result<int> openListenSocket(const upstream::SocketAddress& address);

// The address a socket is bound to (the real port after binding port 0).
upstream::SocketAddress boundAddress(int fd);

}  // namespace consentry::proxy
