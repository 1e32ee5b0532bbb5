#include "proxy/upstream_head.h"

#include <charconv>

namespace consentry::proxy {

void appendUpstreamHead(std::string& out, const UpstreamHead& head) {
  out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
  auto tokens = ConnectionTokens::from(head.headers);
  for (const auto& h : head.headers) {
    if (isHopByHop(h.name, tokens) || isForwardingHeader(h.name)) continue;
    // Body framing is ours (below): a client's "4, 4" or repeated field goes upstream as one
    // value (RFC 9110 §8.6), which an origin parsing it as a number would otherwise refuse.
    if (h.name.size() == 14 && equalsIgnoreCase(h.name, "content-length")) continue;
    // We answer Expect ourselves and read the body before the upstream sees it.
    if (h.name.size() == 6 && equalsIgnoreCase(h.name, "expect")) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (!head.hasHost && !head.defaultHost.empty()) {
    // The upstream request is HTTP/1.1, which requires a Host.
    out.append("Host: ").append(head.defaultHost).append("\r\n");
  }
  if (head.chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (head.contentLength) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, *head.contentLength).ptr;
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
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
