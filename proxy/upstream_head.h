#pragma once
// The HTTP/1.1 request head sent upstream, the same for requests that arrived over HTTP/1.x and
// HTTP/2: request line, the client's end-to-end headers, our body framing and the forwarding
// headers.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/http_header.h"
#include "proxy/forwarding.h"

namespace consentry::proxy {

struct UpstreamHead {
  std::string_view method;
  std::string_view target;
  std::span<const HeaderField> headers;  // as received; hop-by-hop and forwarding ones are dropped
  bool hasHost = true;                   // `headers` holds a Host
  std::string_view defaultHost;          // sent when it does not (HTTP/1.0)
  bool chunked = false;                  // the body follows with chunked framing
  // The body's length when the client framed it with Content-Length (validated by the parser:
  // repeated or listed values were equal). Sent as the one Content-Length, whatever the client's
  // fields looked like.
  std::optional<uint64_t> contentLength;
  bool upgrade = false;  // an Upgrade request: Upgrade and Connection are kept
  ForwardInfo forward;
};

// Appends the whole head, final empty line included.
void appendUpstreamHead(std::string& out, const UpstreamHead& head);

}  // namespace consentry::proxy
