#pragma once
// The admin listener (SPEC §7): /metrics /healthz /readyz /config on its own thread and
// event_base, so a slow scrape never touches a worker. See admin_routes.h for the answers.
//
//   AdminServer admin;
//   admin.addReadinessCheck("sink:collector", [] { return failingFor > 30s ? "..." : nullopt; });
//   if (auto r = admin.start([&] { return current.load(); }, config->admin.address); !r) ...
//   admin.setListenersUp(true);     // after every listener is bound
//   admin.setDraining(true);        // on SIGTERM: /readyz turns 503, /healthz stays 200
//   admin.stop();

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "proxy/admin/admin_routes.h"
#include "proxy/admin/metrics.h"

namespace consentry::admin {

class AdminServer {
 public:
  explicit AdminServer(MetricsRegistry& registry = metrics());
  ~AdminServer();  // stop()
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `address` ("127.0.0.1:9901", "[::1]:9901", "localhost:0") before returning, then
  // serves on a new thread. `config` is called for each GET /config, on the admin thread.
  Result<void> start(ConfigGetter config, std::string_view address);
  // Idempotent; joins the admin thread.
  void stop();
  // The bound port (useful with port 0), 0 when not running.
  uint16_t port() const;

  // /readyz is 200 only while listeners are up, not draining, and no check reports a failure.
  // All three are thread-safe and may be called before or after start().
  void setListenersUp(bool up);
  void setDraining(bool draining);
  // A check with an existing name replaces it.
  void addReadinessCheck(std::string name, ReadinessCheck check);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentry::admin
