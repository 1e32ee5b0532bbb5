#include "proxy/admin/admin_routes.h"

#include "config/config_loader.h"
#include "proxy/admin/json_text.h"

namespace consentry::admin {

namespace {

constexpr std::string_view kJson = "application/json";

AdminResponse json(int status, std::string body) {
  body += '\n';
  return AdminResponse{status, std::string(kJson), std::move(body), {}};
}

AdminResponse readyz(const Readiness& readiness) {
  std::vector<std::pair<std::string, std::string>> failing;
  if (!readiness.listenersUp) failing.emplace_back("listeners", "listeners are not up");
  if (readiness.draining) failing.emplace_back("draining", "the process is draining");
  for (const auto& [name, check] : readiness.checks) {
    if (!check) continue;
    if (std::optional<std::string> reason = check()) failing.emplace_back(name, *reason);
  }
  if (failing.empty()) return json(200, R"({"ready":true,"failing":[]})");
  std::string body = R"({"ready":false,"failing":[)";
  for (size_t i = 0; i < failing.size(); ++i) {
    if (i > 0) body += ',';
    body += R"({"check":)";
    appendJsonString(body, failing[i].first);
    body += R"(,"reason":)";
    appendJsonString(body, failing[i].second);
    body += '}';
  }
  body += "]}";
  return json(503, std::move(body));
}

AdminResponse configDump(const ConfigGetter& getter) {
  config::ConfigPtr config = getter ? getter() : nullptr;
  if (!config) return json(503, R"({"error":"no configuration loaded"})");
  return AdminResponse{200, "application/yaml; charset=utf-8", config::dumpConfig(*config), {}};
}

}  // namespace

AdminResponse handleAdminRequest(std::string_view method, std::string_view path,
                                 const AdminContext& context) {
  // HEAD is GET without a body (RFC 9110 §9.3.2); monitors use it for liveness.
  if (method != "GET" && method != "HEAD") {
    AdminResponse r = json(405, R"({"error":"method not allowed"})");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/metrics") {
    std::string body = context.registry ? context.registry->render() : std::string();
    return AdminResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(body), {}};
  }
  if (path == "/healthz") return AdminResponse{200, "text/plain; charset=utf-8", "ok", {}};
  if (path == "/readyz") return readyz(context.readiness);
  if (path == "/config") return configDump(context.config);
  std::string body = R"({"error":"not found","path":)";
  appendJsonString(body, path);
  body += '}';
  return json(404, std::move(body));
}

}  // namespace consentry::admin
