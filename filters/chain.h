#pragma once
// The boundary between the proxy and everything that decides about telemetry. The proxy (which
// owns sockets) hands each request to a Chain; the chain answers with an Exchange that carries the
// request's decisions through the response and the final log step. No I/O happens in here, so the
// whole chain is unit-testable with plain structs.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/http_header.h"
#include "base/ip_address.h"

namespace consentry::filters {

struct RequestInfo {
  std::string_view method;
  std::string_view target;    // as received (origin-form for h1, :path for h2)
  std::string_view host;      // Host / :authority, without port normalisation
  std::string_view scheme;    // "http" | "https"
  std::string_view protocol;  // "HTTP/1.0" | "HTTP/1.1" | "HTTP/2"
  std::span<const HeaderField> headers;
  IpAddress peer;    // socket peer
  IpAddress client;  // after trusted_proxies / X-Forwarded-For / Forwarded resolution
  std::chrono::system_clock::time_point time;
  unsigned worker = 0;  // index of the worker handling the request (per-worker caches, outboxes)
};

struct LocalResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Edits the chain wants on the upstream's response head.
struct ResponseEdits {
  std::vector<size_t> removeHeaders;  // indexes into the headers passed to onResponseHeaders
  std::vector<std::pair<std::string, std::string>> addHeaders;
};

// Per-request state. Created by Chain::begin(), which copies whatever it needs from RequestInfo
// (the views there die with the parser buffer).
class Exchange {
 public:
  virtual ~Exchange() = default;

  // True when the proxy must answer the request itself (beacon endpoint, t.js) instead of
  // forwarding it. The proxy then reads at most bodyLimit() body bytes (413 beyond), passes them
  // to onRequestBody() and writes localResponse().
  virtual bool isLocal() const = 0;
  virtual uint64_t bodyLimit() const = 0;
  virtual void onRequestBody(std::string_view body) = 0;
  virtual LocalResponse localResponse() = 0;

  // Response side for forwarded requests: strip non-consented Set-Cookie, add Accept-CH or the
  // visitor cookie, expire the visitor cookie on withdrawal.
  virtual void onResponseHeaders(int status, std::span<const HeaderField> headers,
                                 ResponseEdits& edits) = 0;

  // Log step, once the response was fully written (or the exchange failed, status 0): emit the
  // request's events to the worker's outbox. Never blocks.
  virtual void onComplete(int status) = 0;
};

// One per worker and config snapshot.
class Chain {
 public:
  virtual ~Chain() = default;
  // nullptr means the request needs nothing from the chain (the fast path).
  virtual std::unique_ptr<Exchange> begin(const RequestInfo& request) = 0;
};

}  // namespace consentry::filters
