#include "proxy/forwarding.h"

#include <optional>

namespace consentry::proxy {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each comma-separated element of every header named `name`, from the
// rightmost to the leftmost; stops when fn returns false.
template <typename Fn>
void forEachListElementReversed(std::span<const HeaderField> headers, std::string_view name,
                                Fn&& fn) {
  for (size_t h = headers.size(); h-- > 0;) {
    if (!equalsIgnoreCase(headers[h].name, name)) continue;
    std::string_view value = headers[h].value;
    while (true) {
      size_t comma = value.rfind(',');
      std::string_view element =
          trim(comma == std::string_view::npos ? value : value.substr(comma + 1));
      if (!element.empty() && !fn(element)) return;
      if (comma == std::string_view::npos) break;
      value = value.substr(0, comma);
    }
  }
}

// X-Forwarded-For elements are bare addresses; some proxies append a port to IPv4 or bracket v6.
std::optional<IpAddress> parseXffElement(std::string_view s) {
  if (auto ip = IpAddress::parse(s)) return ip->unmapped();
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close != std::string_view::npos) {
      if (auto ip = IpAddress::parse(s.substr(1, close - 1))) return ip->unmapped();
    }
    return std::nullopt;
  }
  size_t colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
    if (auto ip = IpAddress::parse(s.substr(0, colon))) return ip->unmapped();
  }
  return std::nullopt;
}

// The for= parameter of one Forwarded element ("for=1.2.3.4;proto=http").
std::optional<IpAddress> parseForwardedFor(std::string_view element) {
  while (!element.empty()) {
    size_t semi = element.find(';');
    std::string_view pair = trim(element.substr(0, semi));
    element = semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos || !equalsIgnoreCase(trim(pair.substr(0, eq)), "for")) {
      continue;
    }
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return parseXffElement(value);
  }
  return std::nullopt;
}

}  // namespace

bool isTrusted(const IpAddress& address, std::span<const IpNetwork> trusted) {
  for (const auto& net : trusted) {
    if (net.contains(address)) return true;
  }
  return false;
}

IpAddress resolveClientIp(const IpAddress& peer, std::span<const HeaderField> headers,
                          std::span<const IpNetwork> trusted) {
  if (trusted.empty() || !isTrusted(peer, trusted)) return peer;
  IpAddress client = peer;
  bool found = false;
  auto visit = [&](std::optional<IpAddress> ip) {
    if (!ip) return false;  // an unknown/obfuscated hop: nothing left of it can be believed
    client = *ip;
    return isTrusted(*ip, trusted);
  };
  if (findHeader(headers, "x-forwarded-for") != nullptr) {
    forEachListElementReversed(headers, "x-forwarded-for", [&](std::string_view e) {
      found = true;
      return visit(parseXffElement(e));
    });
  }
  if (!found) {
    forEachListElementReversed(headers, "forwarded",
                               [&](std::string_view e) { return visit(parseForwardedFor(e)); });
  }
  return client;
}

ConnectionTokens ConnectionTokens::from(std::span<const HeaderField> headers) {
  ConnectionTokens t;
  for (const auto& h : headers) {
    if (!equalsIgnoreCase(h.name, "connection")) continue;
    std::string_view value = h.value;
    while (!value.empty() && t.count < kMaxTokens) {
      size_t comma = value.find(',');
      std::string_view token = trim(value.substr(0, comma));
      if (!token.empty()) t.tokens[t.count++] = token;
      if (comma == std::string_view::npos) break;
      value = value.substr(comma + 1);
    }
  }
  return t;
}

bool ConnectionTokens::contains(std::string_view name) const {
  for (size_t i = 0; i < count; ++i) {
    if (equalsIgnoreCase(tokens[i], name)) return true;
  }
  return false;
}

bool isHopByHop(std::string_view name, const ConnectionTokens& tokens) {
  // Dispatch on length first: this runs for every header of every request.
  switch (name.size()) {
    case 2:
      if (equalsIgnoreCase(name, "te")) return true;
      break;
    case 7:
      if (equalsIgnoreCase(name, "trailer") || equalsIgnoreCase(name, "upgrade")) return true;
      break;
    case 10:
      if (equalsIgnoreCase(name, "connection") || equalsIgnoreCase(name, "keep-alive")) {
        return true;
      }
      break;
    case 16:
      if (equalsIgnoreCase(name, "proxy-connection")) return true;
      break;
    case 17:
      if (equalsIgnoreCase(name, "transfer-encoding")) return true;
      break;
    default:
      break;
  }
  return tokens.count != 0 && tokens.contains(name);
}

bool isForwardingHeader(std::string_view name) {
  switch (name.size()) {
    case 9:
      return equalsIgnoreCase(name, "forwarded");
    case 15:
      return equalsIgnoreCase(name, "x-forwarded-for");
    case 16:
      return equalsIgnoreCase(name, "x-forwarded-host");
    case 17:
      return equalsIgnoreCase(name, "x-forwarded-proto");
    default:
      return false;
  }
}

void appendForwardedNode(std::string& out, const IpAddress& address) {
  if (address.isV4()) {
    out += address.toString();
    return;
  }
  out += "\"[";
  out += address.toString();
  out += "]\"";
}

namespace {

// All values of `name` joined by ", " (repeated headers are one list), appended to out.
bool appendJoined(std::string& out, std::span<const HeaderField> headers, std::string_view name) {
  bool any = false;
  for (const auto& h : headers) {
    if (!equalsIgnoreCase(h.name, name) || trim(h.value).empty()) continue;
    if (any) out += ", ";
    out += trim(h.value);
    any = true;
  }
  return any;
}

bool needsQuoting(std::string_view v) {
  for (char c : v) {
    bool tchar = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!tchar) return true;
  }
  return v.empty();
}

void appendToken(std::string& out, std::string_view v) {
  if (!needsQuoting(v)) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

void appendForwardingHeaders(std::string& out, std::span<const HeaderField> headers,
                             const ForwardInfo& info) {
  std::string peer = info.peer.toString();

  out += "X-Forwarded-For: ";
  if (info.peerTrusted && appendJoined(out, headers, "x-forwarded-for")) out += ", ";
  out += peer;
  out += "\r\n";

  out += "X-Forwarded-Proto: ";
  if (!info.peerTrusted || !appendJoined(out, headers, "x-forwarded-proto")) out += info.proto;
  out += "\r\n";

  if (!info.host.empty()) {
    out += "X-Forwarded-Host: ";
    if (!info.peerTrusted || !appendJoined(out, headers, "x-forwarded-host")) out += info.host;
    out += "\r\n";
  }

  out += "Forwarded: ";
  if (info.peerTrusted && appendJoined(out, headers, "forwarded")) out += ", ";
  out += "for=";
  appendForwardedNode(out, info.peer);
  out += ";proto=";
  out += info.proto;
  if (!info.host.empty()) {
    out += ";host=";
    appendToken(out, info.host);
  }
  out += "\r\n";
}

}  // namespace consentry::proxy
