#pragma once
// Pure request-rewriting pieces of the proxy: the client address behind trusted proxies, the
// hop-by-hop header rules and the X-Forwarded-* / RFC 7239 Forwarded headers added upstream.

#include <span>
#include <string>
#include <string_view>

#include "base/http_header.h"
#include "base/ip_address.h"

namespace consentry::proxy {

bool isTrusted(const IpAddress& address, std::span<const IpNetwork> trusted);

// The socket peer, or, when the peer is a trusted proxy, the rightmost address of
// X-Forwarded-For (else Forwarded: for=) that is not itself trusted. Stops at the first value
// that is not an address (obfuscated identifiers, "unknown") and keeps the last good one.
IpAddress resolveClientIp(const IpAddress& peer, std::span<const HeaderField> headers,
                          std::span<const IpNetwork> trusted);

// The tokens of all Connection headers, for isHopByHop(). At most kMaxTokens are kept; further
// tokens are ignored (a client that names more headers than that gets them forwarded).
struct ConnectionTokens {
  static constexpr size_t kMaxTokens = 8;
  std::string_view tokens[kMaxTokens];
  size_t count = 0;
  static ConnectionTokens from(std::span<const HeaderField> headers);
  bool contains(std::string_view name) const;
};

// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, and any
// header named in Connection.
bool isHopByHop(std::string_view name, const ConnectionTokens& tokens);

// Headers the proxy itself (re)writes on the way upstream.
bool isForwardingHeader(std::string_view name);

struct ForwardInfo {
  IpAddress peer;
  bool peerTrusted = false;
  std::string_view proto;  // "http" | "https"
  std::string_view host;   // the request's Host
};

// Appends X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host and Forwarded lines (CRLF
// terminated). Existing values are extended only when the peer is trusted, else replaced.
void appendForwardingHeaders(std::string& out, std::span<const HeaderField> headers,
                             const ForwardInfo& info);

// The RFC 7239 node form of an address: 1.2.3.4 or "[v6]" (quoted).
void appendForwardedNode(std::string& out, const IpAddress& address);

}  // namespace consentry::proxy
