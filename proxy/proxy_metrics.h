#pragma once
// The proxy's metric families (SPEC §7), registered once; hot-path updates go through cached
// references so a request never takes the registry mutex after warm-up.

#include <string_view>

#include "proxy/admin/metrics.h"

namespace consentry::proxy {

struct ProxyMetrics {
  static ProxyMetrics& get();

  admin::Counter& requests(int status);  // consentry_requests_total{code}
  admin::Histogram& duration;            // consentry_request_duration_seconds
  admin::Gauge& connections;             // consentry_connections_active
  void upstreamError(std::string_view upstream, std::string_view reason);
  void badRequest(std::string_view reason);
  void reload(bool ok);

 private:
  ProxyMetrics();
};

}  // namespace consentry::proxy
