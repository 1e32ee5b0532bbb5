#pragma once
// What the admin listener answers, without any socket code: admin_server.cc feeds it the method
// and path of each request, so the endpoints are testable as plain functions.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "proxy/admin/metrics.h"

namespace consentry::admin {

// A readiness check returns why the process is not ready, or nullopt when it is fine.
using ReadinessCheck = std::function<std::optional<std::string>()>;
using ConfigGetter = std::function<config::ConfigPtr()>;

struct AdminResponse {
  int status = 200;
  std::string contentType;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beside Content-Type
};

// What /readyz looks at. The listeners and draining flags are set by the proxy; checks are named
// (e.g. "sink:collector") so the 503 body says which one failed.
struct Readiness {
  bool listenersUp = false;
  bool draining = false;
  std::vector<std::pair<std::string, ReadinessCheck>> checks;
};

struct AdminContext {
  MetricsRegistry* registry = nullptr;
  ConfigGetter config;
  Readiness readiness;
};

// GET (or HEAD) /metrics /healthz /readyz /config; 404 JSON for other paths, 405 for other
// methods. `path` is the request path without the query string.
AdminResponse handleAdminRequest(std::string_view method, std::string_view path,
                                 const AdminContext& context);

}  // namespace consentry::admin
