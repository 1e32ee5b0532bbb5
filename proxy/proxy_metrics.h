#pragma once
// The proxy's metric families (SPEC §7), registered once; hot-path updates go through cached
// references so a request never takes the registry mutex after warm-up.

#include <cstdint>
#include <string_view>

#include "proxy/admin/metrics.h"

namespace consentry::proxy {

struct ProxyMetrics {
  static ProxyMetrics& get();

  enum class Protocol : uint8_t { Http1, Http2 };
  // consentry_requests_total{code,protocol}
  admin::Counter& requests(int status, Protocol protocol = Protocol::Http1);
  // consentry_request_duration_seconds{protocol}
  admin::Histogram& duration(Protocol protocol = Protocol::Http1) {
    return protocol == Protocol::Http2 ? duration2_ : duration1_;
  }
  admin::Gauge& connections;  // consentry_connections_active
  // Requests finished so far, both protocols: the activity count of the heap release.
  uint64_t requestsFinished() { return duration1_.count() + duration2_.count(); }
  void upstreamError(std::string_view upstream, std::string_view reason);
  void badRequest(std::string_view reason);
  void reload(bool ok);

 private:
  ProxyMetrics();
  admin::Histogram& duration1_;
  admin::Histogram& duration2_;
};

}  // namespace consentry::proxy
