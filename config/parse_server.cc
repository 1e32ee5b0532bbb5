// listeners, admin, workers, busy_poll, trusted_proxies, limits, upstreams, routes, drain_timeout,
// access_log.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "config/load_state.h"

namespace consentry::config::detail {
namespace {

constexpr int64_t kMaxCount = 1'000'000'000;
// Longer windows only burn CPU: between bursts of events further apart, sleeping costs less.
constexpr std::chrono::microseconds kMaxBusyPoll{10'000};

void parseTls(LoadState& s, MapReader& m, TlsConfig& tls) {
  forEachItem(m.diag(), m.get("certificates"), m.path("certificates"),
              [&](const YAML::Node& item, const std::string& path) {
                MapReader c(m.diag(), item, path);
                Certificate cert;
                c.string("cert", cert.cert);
                c.string("key", cert.key);
                checkReadable(s, c, "cert", cert.cert);
                checkReadable(s, c, "key", cert.key);
                if (c.isMap() && (cert.cert.empty() || cert.key.empty())) {
                  m.diag().error(item, path + ": a certificate needs both cert and key");
                }
                tls.certificates.push_back(std::move(cert));
              });
  m.enumeration<std::string>("min_version", tls.minVersion, {{"1.2", "1.2"}, {"1.3", "1.3"}});
  m.duration("ticket_rotation", tls.ticketRotation);
  if (m.isMap() && tls.certificates.empty()) {
    m.diag().error(m.node(), m.path("") + ": tls needs at least one certificate");
  }
}

void parseListener(LoadState& s, Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  Listener l;
  YAML::Node addr = m.get("address");
  if (addr.IsDefined()) {
    if (auto v = readString(d, addr, m.path("address"))) {
      l.address = *v;
      if (std::string e = checkHostPort(*v, false, true); !e.empty()) {
        d.error(addr, m.path("address") + ": " + e);
      }
    }
  }
  m.boolean("http2", l.http2);
  YAML::Node tls = m.get("tls");
  if (tls.IsDefined()) {
    MapReader t(d, tls, m.path("tls"));
    l.tls.emplace();
    parseTls(s, t, *l.tls);
    if (!t.isMap() && tls.IsNull())
      d.error(tls, m.path("tls") + ": tls needs at least one certificate");
  }
  s.config.listeners.push_back(std::move(l));
  s.listenerPos.push_back(d.pos(addr.IsDefined() ? addr : item));
}

void parseLimits(MapReader& m, Limits& l) {
  m.size("max_header_bytes", l.maxHeaderBytes);
  m.integer("max_headers", l.maxHeaders, 1, 100'000);
  m.size("max_uri_bytes", l.maxUriBytes);
  m.size("max_body_bytes", l.maxBodyBytes);
  m.duration("header_timeout", l.headerTimeout);
  m.duration("idle_timeout", l.idleTimeout);
  m.duration("body_timeout", l.bodyTimeout);
  m.integer("max_connections", l.maxConnections, 1, kMaxCount);
}

void parseUpstream(LoadState& s, Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  Upstream u;
  m.string("name", u.name);
  YAML::Node servers = m.get("servers");
  forEachItem(d, servers, m.path("servers"), [&](const YAML::Node& n, const std::string& p) {
    if (auto v = readString(d, n, p)) {
      if (std::string e = checkHostPort(*v, true, false); !e.empty()) d.error(n, p + ": " + e);
      u.servers.push_back(*v);
    }
  });
  if (m.isMap() && u.servers.empty() && (!servers.IsDefined() || servers.IsSequence())) {
    d.error(servers.IsDefined() ? servers : item,
            m.path("servers") + ": at least one server is required");
  }
  m.enumeration("balance", u.balance,
                {{"round_robin", Balance::RoundRobin}, {"least_conn", Balance::LeastConn}});
  m.integer("keepalive", u.keepalive, 0, 100'000);
  {
    MapReader t(d, m.get("timeouts"), m.path("timeouts"));
    t.duration("connect", u.timeouts.connect);
    t.duration("response", u.timeouts.response);
    t.duration("idle", u.timeouts.idle);
  }
  YAML::Node health = m.get("health");
  if (health.IsDefined()) {
    MapReader h(d, health, m.path("health"));
    u.health.emplace();
    h.string("path", u.health->path);
    h.duration("interval", u.health->interval);
    h.duration("timeout", u.health->timeout);
    h.integer("healthy_threshold", u.health->healthyThreshold, 1, 100);
    h.integer("unhealthy_threshold", u.health->unhealthyThreshold, 1, 100);
    if (u.health->path.empty() || u.health->path[0] != '/') {
      d.error(health, h.path("path") + ": must start with '/'");
    }
  }
  m.integer("max_fails", u.maxFails, 0, 1000);
  m.duration("fail_timeout", u.failTimeout);
  m.integer("retries", u.retries, 0, 10);
  if (m.isMap() && u.name.empty()) d.error(item, path + ": name is required");
  s.upstreamPos.push_back(d.pos(m.has("name") ? m.get("name") : item));
  s.config.upstreams.push_back(std::move(u));
}

void parseRoute(LoadState& s, Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  Route r;
  m.string("host", r.host);
  m.string("prefix", r.prefix);
  m.string("upstream", r.upstream);
  if (m.isMap() && (r.prefix.empty() || r.prefix[0] != '/')) {
    d.error(m.get("prefix"), m.path("prefix") + ": must start with '/'");
  }
  if (m.isMap() && r.host.empty()) d.error(m.get("host"), m.path("host") + ": must not be empty");
  if (m.isMap() && r.upstream.empty()) d.error(item, path + ": upstream is required");
  s.routeUpstreamPos.push_back(d.pos(m.has("upstream") ? m.get("upstream") : item));
  s.config.routes.push_back(std::move(r));
}

}  // namespace

void checkReadable(LoadState& s, MapReader& m, const char* key, const std::string& file) {
  if (!s.checkFiles || file.empty()) return;
  if (const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    ::close(fd);
    return;
  }
  const std::string why = std::strerror(errno);
  YAML::Node at = m.has(key) ? m.get(key) : m.node();
  const std::string message = m.path(key) + ": cannot read '" + file + "': " + why;
  if (at.IsDefined() && at.Mark().line >= 0) {
    m.diag().error(at, message);
  } else {
    Diagnostics::add(s.errors, s.rootPos.file, s.rootPos.mark, message);
  }
}

std::string checkHostPort(const std::string& text, bool allowHostname, bool allowPortZero) {
  std::string_view host;
  std::string_view port;
  std::string_view t = text;
  if (!t.empty() && t[0] == '[') {
    size_t close = t.find(']');
    if (close == std::string_view::npos || close + 1 >= t.size() || t[close + 1] != ':') {
      return "expected [IPv6]:port";
    }
    host = t.substr(1, close - 1);
    port = t.substr(close + 2);
    if (auto ip = IpAddress::parse(host); !ip || ip->isV4()) return "invalid IPv6 address";
  } else {
    size_t colon = t.rfind(':');
    if (colon == std::string_view::npos) return "expected host:port";
    host = t.substr(0, colon);
    port = t.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return "an IPv6 address needs brackets: [addr]:port";
    if (host.empty()) return "expected host:port";
    if (!IpAddress::parse(host)) {
      if (!allowHostname) return "invalid IP address '" + std::string(host) + "'";
      for (char c : host) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c == '_';
        if (!ok) return "invalid host name '" + std::string(host) + "'";
      }
    }
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535 ||
      (value == 0 && !allowPortZero)) {
    return "invalid port '" + std::string(port) + "'";
  }
  return {};
}

std::string canonicalHostPort(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return text;
  std::string host = text.substr(0, colon);
  if (auto ip = IpAddress::parse(host)) {
    host = ip->isV4() ? ip->toString() : "[" + ip->toString() + "]";
  }
  unsigned long port = std::strtoul(text.c_str() + colon + 1, nullptr, 10);
  return host + ":" + std::to_string(port);
}

void parseServer(MapReader& root, LoadState& s) {
  Diagnostics& d = root.diag();
  Config& c = s.config;
  YAML::Node listeners = root.get("listeners");
  if (listeners.IsDefined() && !listeners.IsNull()) {
    c.listeners.clear();
    forEachItem(d, listeners, "listeners",
                [&](const YAML::Node& n, const std::string& p) { parseListener(s, d, n, p); });
    if (listeners.IsSequence() && listeners.size() == 0) {
      d.error(listeners, "listeners: at least one listener is required");
    }
  } else {
    s.listenerPos.assign(c.listeners.size(), s.rootPos);
  }
  {
    YAML::Node admin = root.get("admin");
    MapReader a(d, admin, "admin");
    YAML::Node addr = a.get("address");
    s.adminPos = s.rootPos;
    if (addr.IsDefined()) {
      s.adminPos = d.pos(addr);
      if (auto v = readString(d, addr, "admin.address")) {
        c.admin.address = *v;
        if (std::string e = checkHostPort(*v, false, true); !e.empty()) {
          d.error(addr, "admin.address: " + e);
        }
      }
    }
  }
  YAML::Node workers = root.get("workers");
  if (workers.IsDefined()) {
    if (workers.IsScalar() && workers.Scalar() == "auto") {
      c.workers = 0;
    } else if (workers.IsScalar() && !workers.Scalar().empty() &&
               workers.Scalar().find_first_not_of("0123456789-") == std::string::npos) {
      if (auto v = readInt(d, workers, "workers", 1, 256)) c.workers = static_cast<int>(*v);
    } else {
      d.error(workers, "workers: expected auto or an integer from 1 to 256");
    }
  }
  if (YAML::Node busyPoll = root.get("busy_poll"); busyPoll.IsDefined()) {
    auto v = busyPoll.IsScalar() ? parseMicroseconds(busyPoll.Scalar()) : std::nullopt;
    if (busyPoll.IsScalar() && busyPoll.Scalar() == "auto") {
      c.busyPollAuto = true;
    } else if (v && *v <= kMaxBusyPoll) {
      c.busyPoll = *v;
      c.busyPollAuto = false;
    } else {
      d.error(busyPoll, "busy_poll: expected auto, 0 or a duration up to 10ms (e.g. 50us)");
    }
  }
  YAML::Node proxies = root.get("trusted_proxies");
  forEachItem(d, proxies, "trusted_proxies", [&](const YAML::Node& n, const std::string& p) {
    auto text = readString(d, n, p);
    if (!text) return;
    if (auto net = IpNetwork::parse(*text)) {
      c.trustedProxies.push_back(*net);
    } else {
      d.error(n, p + ": invalid address or CIDR '" + *text + "'");
    }
  });
  {
    MapReader l(d, root.get("limits"), "limits");
    parseLimits(l, c.limits);
  }
  s.upstreamsGiven = root.has("upstreams");
  s.upstreamsPos = s.upstreamsGiven ? d.pos(root.keyNode("upstreams")) : s.rootPos;
  YAML::Node upstreams = root.get("upstreams");
  forEachItem(d, upstreams, "upstreams",
              [&](const YAML::Node& n, const std::string& p) { parseUpstream(s, d, n, p); });
  forEachItem(d, root.get("routes"), "routes",
              [&](const YAML::Node& n, const std::string& p) { parseRoute(s, d, n, p); });
  root.duration("drain_timeout", c.drainTimeout);
  {
    MapReader a(d, root.get("access_log"), "access_log");
    a.string("path", c.accessLog.path);
    a.enumeration<std::string>("format", c.accessLog.format,
                               {{"json", "json"}, {"combined", "combined"}});
    a.enumeration("ip", c.accessLog.ip,
                  {{"keep", IpRule::Keep}, {"drop", IpRule::Drop}, {"truncate", IpRule::Truncate}});
    if (c.accessLog.path.empty()) d.error(a.get("path"), "access_log.path: must not be empty");
  }
}

}  // namespace consentry::config::detail
