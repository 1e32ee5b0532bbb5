#include "proxy/upstream_head.h"

namespace consentry::proxy {
namespace {

// The first element of a Content-Length list ("4, 4" -> "4"). The request parser has already
// refused differing values, so every element is the same number.
std::string_view firstLength(std::string_view value) {
  const size_t comma = value.find(',');
  value = value.substr(0, comma);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

void appendUpstreamHead(std::string& out, const UpstreamHead& head) {
  out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
  auto tokens = ConnectionTokens::from(head.headers);
  bool lengthSent = false;
  for (const auto& h : head.headers) {
    if (isHopByHop(h.name, tokens) || isForwardingHeader(h.name)) continue;
    // Repeated or listed equal Content-Lengths go upstream as one value (RFC 9110 §8.6): an
    // origin that parses "4, 4" as a number fails the request.
    if (h.name.size() == 14 && equalsIgnoreCase(h.name, "content-length")) {
      if (!lengthSent) out.append("Content-Length: ").append(firstLength(h.value)).append("\r\n");
      lengthSent = true;
      continue;
    }
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
