#include "proxy/tls/tls_metrics.h"

#include <string>

#include "proxy/admin/metrics.h"

namespace consentry::proxy::tls {

void TlsMetrics::handshake(std::string_view listener, std::string_view version, bool resumed) {
  admin::metrics()
      .counter("consentry_tls_handshakes_total",
               "Completed TLS handshakes, by listener and version",
               {{"listener", std::string(listener)}, {"version", std::string(version)}})
      .inc();
  if (resumed) {
    admin::metrics()
        .counter("consentry_tls_resumed_handshakes_total",
                 "TLS handshakes that resumed a session (ticket), by listener",
                 {{"listener", std::string(listener)}})
        .inc();
  }
}

void TlsMetrics::failure(std::string_view reason) {
  admin::metrics()
      .counter("consentry_tls_handshake_failures_total", "Failed TLS handshakes, by reason",
               {{"reason", std::string(reason)}})
      .inc();
}

void TlsMetrics::expiry(std::string_view listener, std::string_view name, std::time_t notAfter) {
  admin::metrics()
      .gauge("consentry_tls_certificate_expiry_timestamp_seconds",
             "Unix time at which a served certificate expires",
             {{"listener", std::string(listener)}, {"name", std::string(name)}})
      .set(static_cast<int64_t>(notAfter));
}

}  // namespace consentry::proxy::tls
