#include "proxy/admin/admin_routes.h"

#include <gtest/gtest.h>

namespace consentry::admin {
namespace {

AdminContext readyContext(MetricsRegistry& registry) {
  AdminContext c;
  c.registry = &registry;
  c.readiness.listenersUp = true;
  return c;
}

TEST(AdminRoutes, MetricsIsTheRegistryInPrometheusText) {
  MetricsRegistry registry;
  registry.counter("t_total", "h", {{"a", "b"}}).inc(9);
  AdminResponse r = handleAdminRequest("GET", "/metrics", readyContext(registry));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, registry.render());
  EXPECT_NE(r.body.find("t_total{a=\"b\"} 9\n"), std::string::npos);
}

TEST(AdminRoutes, HealthzIsAlwaysOk) {
  MetricsRegistry registry;
  AdminContext c;  // not ready, draining: still alive
  c.readiness.draining = true;
  AdminResponse r = handleAdminRequest("GET", "/healthz", c);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(handleAdminRequest("HEAD", "/healthz", c).status, 200);
}

TEST(AdminRoutes, ReadyzListsEveryFailingCheck) {
  MetricsRegistry registry;
  AdminContext c = readyContext(registry);
  EXPECT_EQ(handleAdminRequest("GET", "/readyz", c).status, 200);

  c.readiness.checks.emplace_back("sink:ok", [] { return std::optional<std::string>(); });
  c.readiness.checks.emplace_back("sink:collector", [] {
    return std::optional<std::string>("failing for 31s: \"connection refused\"");
  });
  c.readiness.draining = true;
  AdminResponse r = handleAdminRequest("GET", "/readyz", c);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.body,
            "{\"ready\":false,\"failing\":[{\"check\":\"draining\",\"reason\":\"the process is "
            "draining\"},{\"check\":\"sink:collector\",\"reason\":\"failing for 31s: "
            "\\\"connection refused\\\"\"}]}\n");

  c.readiness.draining = false;
  c.readiness.listenersUp = false;
  c.readiness.checks.clear();
  r = handleAdminRequest("GET", "/readyz", c);
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"check\":\"listeners\""), std::string::npos) << r.body;
}

TEST(AdminRoutes, ConfigIsTheDumpOfTheCurrentSnapshot) {
  MetricsRegistry registry;
  AdminContext c = readyContext(registry);
  EXPECT_EQ(handleAdminRequest("GET", "/config", c).status, 503);  // no getter yet

  auto config = std::make_shared<config::Config>();
  config->admin.address = "127.0.0.1:19999";
  config::Sink sink;
  sink.name = "collector";
  sink.type = config::SinkType::Http;
  sink.url = "http://127.0.0.1:1/e";
  sink.headers["Authorization"] = "Bearer very-secret-token";
  config->sinks.push_back(sink);
  c.config = [config] { return config; };
  AdminResponse r = handleAdminRequest("GET", "/config", c);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "application/yaml; charset=utf-8");
  EXPECT_NE(r.body.find("127.0.0.1:19999"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("collector"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("very-secret-token"), std::string::npos) << r.body;
}

TEST(AdminRoutes, UnknownPathIs404Json) {
  MetricsRegistry registry;
  AdminResponse r = handleAdminRequest("GET", "/nope\"x", readyContext(registry));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.contentType, "application/json");
  EXPECT_EQ(r.body, "{\"error\":\"not found\",\"path\":\"/nope\\\"x\"}\n");
}

TEST(AdminRoutes, OtherMethodsAre405WithAllow) {
  MetricsRegistry registry;
  for (std::string_view method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    AdminResponse r = handleAdminRequest(method, "/metrics", readyContext(registry));
    EXPECT_EQ(r.status, 405) << method;
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "Allow");
    EXPECT_EQ(r.headers[0].second, "GET, HEAD");
  }
}

}  // namespace
}  // namespace consentry::admin
