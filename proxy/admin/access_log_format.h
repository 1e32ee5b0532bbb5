#pragma once
// One access log line from one finished request, as JSON or Apache "combined". Privacy first:
// the query string is never logged, the client IP follows `access_log.ip` (truncate = /24 for
// IPv4, /48 for IPv6), and neither the User-Agent nor the Referer is written.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/ip_address.h"
#include "config/config.h"

namespace consentry::admin {

// What a worker fills when a request completes. Views only need to live for the record() call.
struct AccessLogEntry {
  std::chrono::system_clock::time_point time;  // when the request arrived
  IpAddress client;                            // the client as the proxy decided it (trusted XFF)
  std::string_view method;
  std::string_view target;  // the request-target as received; cut at '?' / '#' when logged
  std::string_view protocol = "HTTP/1.1";
  int status = 0;
  uint64_t bytesSent = 0;  // response bytes written to the client, headers included
  std::chrono::microseconds duration{0};
  std::string_view upstream;  // "10.0.0.5:8081"; empty for local replies
};

enum class AccessLogFormat : uint8_t { Json, Combined };

// The access log prefixes: IPv4 /24, IPv6 /48 (as the shipped region presets).
inline constexpr int kAccessLogV4Bits = 24;
inline constexpr int kAccessLogV6Bits = 48;

// The client address as logged, or empty for IpRule::Drop.
std::string accessLogClient(const IpAddress& client, config::IpRule rule);

// Appends one line, '\n' included.
void appendAccessLogLine(std::string& out, const AccessLogEntry& entry, AccessLogFormat format,
                         config::IpRule ip);

}  // namespace consentry::admin
