#include "proxy/upstream_head.h"

namespace consentry::proxy {

void appendUpstreamHead(std::string& out, const UpstreamHead& head) {
  out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
  auto tokens = ConnectionTokens::from(head.headers);
  for (const auto& h : head.headers) {
    if (isHopByHop(h.name, tokens) || isForwardingHeader(h.name)) continue;
    // We answer Expect ourselves and read the body before the upstream sees it.
    if (h.name.size() == 6 && equalsIgnoreCase(h.name, "expect")) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (!head.hasHost && !head.defaultHost.empty()) {
    // The upstream request is HTTP/1.1, which requires a Host.
    out.append("Host: ").append(head.defaultHost).append("\r\n");
  }
  if (head.chunked) out.append("Transfer-Encoding: chunked\r\n");
  if (head.upgrade) {
    if (const auto* u = findHeader(head.headers, "upgrade")) {
      out.append("Upgrade: ").append(u->value).append("\r\n");
    }
    out.append("Connection: upgrade\r\n");
  }
  appendForwardingHeaders(out, head.headers, head.forward);
  out.append("\r\n");
}

}  // namespace consentry::proxy
