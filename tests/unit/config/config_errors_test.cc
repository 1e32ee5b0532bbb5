// Invalid configs, each with the exact "file:line:col: message" the loader must report.
#include <gtest/gtest.h>

#include "config/config_loader.h"

namespace consentry::config {
namespace {

#define U "upstreams: [{name: site, servers: ['127.0.0.1:8081']}]\n"

struct Case {
  const char* name;
  const char* yaml;
  const char* expected;
  bool only = true;  // false when other errors legitimately accompany the expected one
};

const Case kCases[] = {
    {"unknown_top_key", U "listen: x\n", "t.yaml:2:1: unknown key 'listen'"},
    {"unknown_listener_key", U "listeners:\n  - address: 0.0.0.0:80\n    htp2: true\n",
     "t.yaml:4:5: unknown key 'htp2' in listeners[0]"},
    {"bool_type", U "listeners:\n  - http2: maybe\n",
     "t.yaml:3:12: listeners[0].http2: expected true or false"},
    {"listener_hostname", U "listeners:\n  - address: localhost:80\n",
     "t.yaml:3:14: listeners[0].address: invalid IP address 'localhost'"},
    {"listener_port", U "listeners:\n  - address: 0.0.0.0:99999\n",
     "t.yaml:3:14: listeners[0].address: invalid port '99999'"},
    {"listener_v6_brackets", U "listeners:\n  - address: ::1:80\n",
     "t.yaml:3:14: listeners[0].address: an IPv6 address needs brackets: [addr]:port"},
    {"listener_duplicate", U "listeners:\n  - address: 0.0.0.0:80\n  - address: 0.0.0.0:80\n",
     "t.yaml:4:14: duplicate listener address '0.0.0.0:80' (first defined at t.yaml:3)"},
    {"listener_duplicate_spelling",
     U "listeners:\n  - address: '[::1]:80'\n  - address: '[0:0::1]:80'\n",
     "t.yaml:4:14: duplicate listener address '[::1]:80' (first defined at t.yaml:3)"},
    {"tls_without_certificates",
     U "listeners:\n  - address: 0.0.0.0:443\n    tls: {min_version: '1.2'}\n",
     "t.yaml:4:10: listeners[0].tls: tls needs at least one certificate"},
    {"tls_min_version",
     U "listeners:\n  - address: 0.0.0.0:443\n    tls:\n      certificates: [{cert: a, key: "
       "b}]\n      min_version: '1.1'\n",
     "t.yaml:6:20: listeners[0].tls.min_version: '1.1' is not one of 1.2, 1.3"},
    {"certificate_without_key",
     U "listeners:\n  - address: 0.0.0.0:443\n    tls:\n      certificates:\n        - cert: "
       "a.crt\n",
     "t.yaml:6:11: listeners[0].tls.certificates[0]: a certificate needs both cert and key"},
    {"admin_address", U "admin:\n  address: nowhere\n",
     "t.yaml:3:12: admin.address: expected host:port"},
    {"admin_is_listener",
     U "listeners:\n  - address: 127.0.0.1:9000\nadmin: {address: '127.0.0.1:9000'}\n",
     "t.yaml:4:18: admin.address: '127.0.0.1:9000' is also a listener address"},
    {"workers_zero", U "workers: 0\n", "t.yaml:2:10: workers: expected an integer from 1 to 256"},
    {"workers_too_many", U "workers: 300\n",
     "t.yaml:2:10: workers: expected an integer from 1 to 256"},
    {"workers_word", U "workers: many\n",
     "t.yaml:2:10: workers: expected auto or an integer from 1 to 256"},
    {"busy_poll_unit", U "busy_poll: 50\n",
     "t.yaml:2:12: busy_poll: expected auto, 0 or a duration up to 10ms (e.g. 50us)"},
    {"busy_poll_too_long", U "busy_poll: 11ms\n",
     "t.yaml:2:12: busy_poll: expected auto, 0 or a duration up to 10ms (e.g. 50us)"},
    {"busy_poll_list", U "busy_poll: [50us]\n",
     "t.yaml:2:12: busy_poll: expected auto, 0 or a duration up to 10ms (e.g. 50us)"},
    {"trusted_proxy_cidr", U "trusted_proxies: [10.0.0.0/33]\n",
     "t.yaml:2:19: trusted_proxies[0]: invalid address or CIDR '10.0.0.0/33'"},
    {"trusted_proxies_not_list", U "trusted_proxies: 10.0.0.0/8\n",
     "t.yaml:2:18: trusted_proxies: expected a list"},
    {"size_with_space", U "limits:\n  max_body_bytes: 10 MB\n",
     "t.yaml:3:19: limits.max_body_bytes: invalid size '10 MB' (use e.g. 512, 16KiB, 100MiB, "
     "1GiB)"},
    {"duration_without_unit", U "limits:\n  header_timeout: 10\n",
     "t.yaml:3:19: limits.header_timeout: invalid duration '10' (use e.g. 250ms, 10s, 5m, 1h, "
     "2d)"},
    {"negative_count", U "limits:\n  max_headers: -1\n",
     "t.yaml:3:16: limits.max_headers: expected an integer from 1 to 100000"},
    {"section_not_mapping", U "limits: 5\n", "t.yaml:2:9: limits: expected a mapping"},
    {"empty_upstreams", "drain_timeout: 1s\nupstreams: []\n",
     "t.yaml:2:1: upstreams: at least one upstream is required"},
    {"duplicate_upstream",
     "upstreams:\n  - name: a\n    servers: ['h:1']\n  - name: a\n    servers: ['h:2']\n",
     "t.yaml:4:11: duplicate upstream name 'a' (first defined at t.yaml:2)"},
    {"upstream_without_servers", "upstreams:\n  - name: a\n",
     "t.yaml:2:5: upstreams[0].servers: at least one server is required"},
    {"upstream_servers_not_list", "upstreams:\n  - name: a\n    servers: 'h:1'\n",
     "t.yaml:3:14: upstreams[0].servers: expected a list"},
    {"upstream_empty_servers", "upstreams:\n  - name: a\n    servers: []\n",
     "t.yaml:3:14: upstreams[0].servers: at least one server is required"},
    {"upstream_port_zero", "upstreams:\n  - name: a\n    servers: ['h:0']\n",
     "t.yaml:3:15: upstreams[0].servers[0]: invalid port '0'"},
    {"balance", "upstreams:\n  - name: a\n    servers: ['h:1']\n    balance: random\n",
     "t.yaml:4:14: upstreams[0].balance: 'random' is not one of round_robin, least_conn"},
    {"upstream_without_name", "upstreams:\n  - servers: ['h:1']\n",
     "t.yaml:2:5: upstreams[0]: name is required"},
    {"health_path", "upstreams:\n  - name: a\n    servers: ['h:1']\n    health: {path: ping}\n",
     "t.yaml:4:13: upstreams[0].health.path: must start with '/'"},
    {"route_unknown_upstream", U "routes:\n  - {prefix: /, upstream: api}\n",
     "t.yaml:3:27: routes[0].upstream: no upstream named 'api'"},
    {"route_prefix", U "routes:\n  - prefix: api\n    upstream: site\n",
     "t.yaml:3:13: routes[0].prefix: must start with '/'"},
    {"negative_duration", U "drain_timeout: -5s\n",
     "t.yaml:2:16: drain_timeout: invalid duration '-5s' (use e.g. 250ms, 10s, 5m, 1h, 2d)"},
    {"consent_type", U "consent:\n  sources:\n    - type: didomi\n",
     "t.yaml:4:13: consent.sources[0].type: 'didomi' is not one of cookie, tcf, onetrust, "
     "cookiebot, cookieyes, cc_cookie, klaro"},
    {"cookie_source_without_name", U "consent:\n  sources:\n    - type: cookie\n",
     "t.yaml:4:7: consent.sources[0]: name (the cookie name) is required"},
    {"tcf_key_on_cookie",
     U "consent:\n  sources:\n    - type: cookie\n      name: c\n      "
       "vendor_id: 5\n",
     "t.yaml:6:7: consent.sources[0].vendor_id: only valid for type tcf"},
    {"unknown_category",
     U "consent:\n  sources:\n    - type: onetrust\n      map: {stats: C0002}\n",
     "t.yaml:5:13: consent.sources[0].map: unknown category 'stats' (analytics, marketing, "
     "functional)"},
    {"tcf_purpose_range",
     U "consent:\n  sources:\n    - type: tcf\n      analytics_purposes: [1, 12]\n",
     "t.yaml:5:31: consent.sources[0].analytics_purposes[1]: expected an integer from 1 to 11"},
    {"source_type_missing", U "consent:\n  sources:\n    - cookie: x\n",
     "t.yaml:4:7: consent.sources[0]: type is required"},
    {"gpc", U "consent:\n  gpc: refuse\n",
     "t.yaml:3:8: consent.gpc: 'refuse' is not one of ignore, refuse_marketing, refuse_all"},
    {"min_policy_version", U "consent:\n  min_policy_version: v3\n",
     "t.yaml:3:23: consent.min_policy_version: expected an integer from 0 to 2000000000"},
    {"require_without_cookie", U "consent:\n  require: [{value: '1'}]\n",
     "t.yaml:3:13: consent.require[0]: cookie (a cookie name) is required"},
    {"record", U "telemetry:\n  record: some\n",
     "t.yaml:3:11: telemetry.record: 'some' is not one of documents, all, none"},
    {"beacon_path", U "telemetry:\n  beacon: {path: collect}\n",
     "t.yaml:3:18: telemetry.beacon.path: must start with '/'"},
    {"visitor_id", U "telemetry:\n  visitor_id: uuid\n",
     "t.yaml:3:15: telemetry.visitor_id: 'uuid' is not one of cookie, daily_hash, none"},
    {"truncate_v4",
     U "regions:\n  - name: eea\n    countries: [DE]\n    fields:\n      ip: {truncate: {v4: "
       "33}}\n",
     "t.yaml:6:27: regions[0].fields.ip.truncate.v4: expected an integer from 0 to 32"},
    {"truncate_v6",
     U "regions:\n  - name: eea\n    countries: [DE]\n    fields:\n      ip: {truncate: {v6: "
       "129}}\n",
     "t.yaml:6:27: regions[0].fields.ip.truncate.v6: expected an integer from 0 to 128"},
    {"ip_rule", U "regions:\n  - name: x\n    fields: {ip: hash}\n",
     "t.yaml:4:18: regions[0].fields.ip: 'hash' is not one of keep, drop, truncate"},
    {"country_code", U "regions:\n  - name: eea\n    countries: [Germany]\n",
     "t.yaml:4:17: regions[0].countries[0]: 'Germany' is not an ISO 3166-1 alpha-2 country code"},
    {"subdivision_code", U "regions:\n  - name: ca\n    subdivisions: [California]\n",
     "t.yaml:4:20: regions[0].subdivisions[0]: 'California' is not an ISO 3166-2 subdivision "
     "code like US-CA"},
    {"region_unknown_sink", U "regions:\n  - name: eea\n    countries: [DE]\n    sinks: [eu]\n",
     "t.yaml:5:13: region 'eea': no sink named 'eu'"},
    {"default_not_last", U "regions:\n  - name: default\n  - name: eea\n    countries: [DE]\n",
     "t.yaml:3:11: region 'default' must be the last region"},
    {"default_twice",
     U "regions:\n  - name: eea\n    countries: [DE]\n  - name: default\n  - name: default\n",
     "t.yaml:6:11: duplicate region name 'default' (first defined at t.yaml:5)", false},
    {"catch_all_not_last", U "regions:\n  - name: rest\n  - name: eea\n    countries: [DE]\n",
     "t.yaml:3:11: region 'rest' has no countries, subdivisions or continents, so it matches "
     "every client; it must be the last region"},
    {"region_reserved_name", U "regions:\n  - name: unknown\n",
     "t.yaml:3:11: regions[0].name: 'unknown' is reserved for failed geo lookups"},
    {"region_without_name", U "regions:\n  - countries: [DE]\n",
     "t.yaml:3:5: regions[0]: name is required"},
    {"unknown_region", U "regions: [{name: eea, countries: [DE]}]\nunknown_region: us\n",
     "t.yaml:3:17: unknown_region: expected strictest or a region name, no region named 'us'"},
    {"unknown_sinks", U "unknown_sinks: [archive]\n",
     "t.yaml:2:17: unknown_sinks: no sink named 'archive'"},
    {"field_enum", U "regions:\n  - name: x\n    fields: {language: short}\n",
     "t.yaml:4:24: regions[0].fields.language: 'short' is not one of full, primary, drop"},
    {"kafka_without_brokers", U "sinks:\n  - name: k\n    type: kafka\n    topic: t\n",
     "t.yaml:3:5: sinks[0]: a kafka sink needs brokers"},
    {"kafka_without_topic", U "sinks:\n  - name: k\n    type: kafka\n    brokers: 'b:9092'\n",
     "t.yaml:3:5: sinks[0]: a kafka sink needs topic"},
    {"http_sink_url", U "sinks:\n  - name: h\n    type: http\n    url: ftp://x\n",
     "t.yaml:5:10: sinks[0]: an http sink needs a url starting with http:// or https://"},
    {"http_sink_without_url", U "sinks:\n  - name: h\n    type: http\n",
     "t.yaml:3:5: sinks[0]: an http sink needs a url starting with http:// or https://"},
    {"http_key_on_file_sink", U "sinks:\n  - name: f\n    type: file\n    url: http://x\n",
     "t.yaml:5:5: sinks[0].url: not valid for a file sink"},
    {"duplicate_sink", U "sinks:\n  - {name: a, type: stdout}\n  - {name: a, type: stdout}\n",
     "t.yaml:4:12: duplicate sink name 'a' (first defined at t.yaml:3)"},
    {"sink_without_type", U "sinks:\n  - name: a\n",
     "t.yaml:3:5: sinks[0]: type is required (file, stdout, http, kafka)"},
    {"sink_format", U "sinks:\n  - name: a\n    type: stdout\n    format: avro\n",
     "t.yaml:5:13: sinks[0].format: 'avro' is not one of json, ndjson, cloudevents"},
    {"duplicate_key", U "drain_timeout: 1s\ndrain_timeout: 2s\n",
     "t.yaml:3:1: duplicate key 'drain_timeout'"},
    {"root_not_mapping", "- a\n- b\n", "t.yaml:1:1: config: expected a mapping", false},
    {"access_log_ip", U "access_log: {ip: hash}\n",
     "t.yaml:2:18: access_log.ip: 'hash' is not one of keep, drop, truncate"},
    {"detector", U "privacy:\n  scrub: {detectors: [ssn]}\n",
     "t.yaml:3:23: privacy.scrub.detectors[0]: 'ssn' is not one of email, phone, card, iban, "
     "jwt, ip"},
    {"strip_cookies_category", U "privacy:\n  strip_cookies: {ads: [x]}\n",
     "t.yaml:3:19: unknown key 'ads' in privacy.strip_cookies"},
    {"string_expected", U "geo: {database: [a]}\n", "t.yaml:2:17: geo.database: expected a string"},
    {"visitor_cookie_name", U "telemetry:\n  visitor_cookie: 'a b'\n",
     "t.yaml:3:19: telemetry.visitor_cookie: invalid cookie name 'a b'"},
};

class ConfigErrors : public testing::TestWithParam<Case> {};

TEST_P(ConfigErrors, ReportsExactPosition) {
  const Case& c = GetParam();
  LoadResult r = loadConfigString(c.yaml, "t.yaml");
  EXPECT_FALSE(r.config);
  std::string all;
  bool found = false;
  for (const ConfigError& e : r.errors) {
    all += "  " + e.format() + "\n";
    found = found || e.format() == c.expected;
  }
  EXPECT_TRUE(found) << "expected: " << c.expected << "\ngot:\n" << all;
  if (c.only) {
    EXPECT_EQ(r.errors.size(), 1u) << all;
  }
}

INSTANTIATE_TEST_SUITE_P(All, ConfigErrors, testing::ValuesIn(kCases),
                         [](const testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(ConfigErrorsSyntax, YamlSyntaxErrorHasPosition) {
  LoadResult r = loadConfigString(U "listeners: [\n", "t.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "t.yaml");
  EXPECT_GE(r.errors[0].line, 2);
  EXPECT_NE(r.errors[0].message.find("YAML syntax error"), std::string::npos);
}

TEST(ConfigErrorsSyntax, FormatIsFileLineColumnMessage) {
  ConfigError e{"a.yaml", 3, 7, "boom"};
  EXPECT_EQ(e.format(), "a.yaml:3:7: boom");
}

}  // namespace
}  // namespace consentry::config
