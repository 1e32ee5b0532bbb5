#pragma once
// TLS metric families (SPEC §7): handshakes by listener and version, resumed handshakes,
// failures by reason, and each certificate's expiry so that an alert can fire before it lapses.
// Handshakes are rare next to requests (keep-alive), so these go through the registry each time.

#include <ctime>
#include <string_view>

namespace consentry::proxy::tls {

struct TlsMetrics {
  // consentry_tls_handshakes_total{listener,version}; consentry_tls_resumed_handshakes_total
  // {listener} as well when the session was resumed.
  static void handshake(std::string_view listener, std::string_view version, bool resumed);
  // consentry_tls_handshake_failures_total{reason}
  static void failure(std::string_view reason);
  // consentry_tls_certificate_expiry_timestamp_seconds{listener,name}
  static void expiry(std::string_view listener, std::string_view name, std::time_t notAfter);
};

}  // namespace consentry::proxy::tls
