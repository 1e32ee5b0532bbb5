#include "proxy/proxy_metrics.h"

#include <array>
#include <string>

namespace consentry::proxy {

ProxyMetrics::ProxyMetrics()
    : connections(
          admin::metrics().gauge("consentry_connections_active", "Open client connections")),
      duration1_(admin::metrics().histogram("consentry_request_duration_seconds",
                                            "Time from request head to last response byte",
                                            {{"protocol", "http1"}}, admin::latencyBuckets())),
      duration2_(admin::metrics().histogram("consentry_request_duration_seconds",
                                            "Time from request head to last response byte",
                                            {{"protocol", "http2"}}, admin::latencyBuckets())) {
  // Both series exist from the start, so an alert on failed reloads has a zero to compare with.
  for (const char* result : {"ok", "failed"}) {
    admin::metrics().counter("consentry_reloads_total", "Config reloads, by result",
                             {{"result", result}});
  }
}

ProxyMetrics& ProxyMetrics::get() {
  static ProxyMetrics instance;
  return instance;
}

admin::Counter& ProxyMetrics::requests(int status, Protocol protocol) {
  // Per thread, so the lookup never locks after the first request with a given code.
  thread_local std::array<std::array<admin::Counter*, 600>, 2> cache{};
  size_t index = status >= 100 && status < 600 ? static_cast<size_t>(status) : 0;
  auto& slot = cache[protocol == Protocol::Http2 ? 1 : 0][index];
  if (slot == nullptr) {
    slot = &admin::metrics().counter(
        "consentry_requests_total", "Requests answered, by status code and protocol",
        {{"code", std::to_string(status)},
         {"protocol", protocol == Protocol::Http2 ? "http2" : "http1"}});
  }
  return *slot;
}

void ProxyMetrics::upstreamError(std::string_view upstream, std::string_view reason) {
  admin::metrics()
      .counter("consentry_upstream_errors_total", "Upstream failures, by upstream and reason",
               {{"upstream", std::string(upstream)}, {"reason", std::string(reason)}})
      .inc();
}

void ProxyMetrics::badRequest(std::string_view reason) {
  admin::metrics()
      .counter("consentry_bad_requests_total", "Requests refused by the parser, by reason",
               {{"reason", std::string(reason)}})
      .inc();
}

void ProxyMetrics::reload(bool ok) {
  admin::metrics()
      .counter("consentry_reloads_total", "Config reloads, by result",
               {{"result", ok ? "ok" : "failed"}})
      .inc();
}

}  // namespace consentry::proxy
