#include <gtest/gtest.h>

#include "config/config_loader.h"

namespace consentry::config {
namespace {

std::string errorsOf(const LoadResult& r) {
  std::string out;
  for (const ConfigError& e : r.errors) out += e.format() + "\n";
  return out;
}

// Every section set away from its defaults: the dump must load back to an equal config.
constexpr const char* kRich = R"(
listeners:
  - {address: "127.0.0.1:8080", http2: false}
  - address: "[::]:8443"
    tls: {certificates: [{cert: "site.crt", key: "site.key"}], min_version: "1.3", ticket_rotation: 90m}
admin: {address: "127.0.0.1:9902"}
workers: 3
busy_poll: 75us
trusted_proxies: [127.0.0.1/32, "fd00::/8"]
limits: {max_header_bytes: 32KiB, max_headers: 64, max_uri_bytes: 2000, max_body_bytes: 5MiB,
         header_timeout: 1500ms, idle_timeout: 90s, body_timeout: 1m, max_connections: 9}
upstreams:
  - name: site
    servers: ["127.0.0.1:8081", "origin.internal:80"]
    balance: least_conn
    keepalive: 3
    timeouts: {connect: 1s, response: 2s, idle: 3s}
    health: {path: /h, interval: 1s, timeout: 250ms, healthy_threshold: 4, unhealthy_threshold: 6}
    max_fails: 9
    fail_timeout: 1h
    retries: 2
  - {name: "*", servers: ["127.0.0.1:1"]}
routes: [{host: "*.example.com", prefix: /api, upstream: "*"}, {upstream: site}]
drain_timeout: 2d
consent:
  sources:
    - {type: cookie, name: "c#1", format: json, version_key: "rev", map: {analytics: ["a", "true"]}}
    - {type: tcf, analytics_purposes: [1], marketing_purposes: [], vendor_id: 7, accept_li: true}
    - {type: onetrust, map: {marketing: C0004}}
    - {type: klaro, cookie: kl}
  min_policy_version: 0
  require: [{cookie: age, value: "1"}, {cookie: other, value: ""}]
  gpc: ignore
telemetry: {record: none, beacon: {path: /b, script: /s.js, max_bytes: 1000, max_events: 3},
            client_hints: false, ua_regexes: "r: x.yaml", ua_cache_entries: 0,
            visitor_id: none, visitor_cookie: v, bots: drop}
geo: {database: "geo db.mmdb"}
regions:
  - name: eea
    countries: [DE]
    continents: [EU]
    fields: {ip: {truncate: {v4: 0, v6: 128}}, os_version: drop, language: drop, screen: drop,
             location: drop, referrer: drop, path: drop, visitor: drop, props: drop}
    sinks: [k]
    gpc: refuse_marketing
  - {name: ca, subdivisions: [US-CA], fields: {ip: drop}}
  - {name: default}
unknown_region: ca
unknown_sinks: [out, local]
privacy:
  strip_cookies: {functional: ["x*"]}
  scrub: {query_params: [], detectors: [iban]}
sinks:
  - {name: local, type: file, path: "e v.jsonl", format: cloudevents, rotate: {max_bytes: 7, max_age: 5m}, fsync: 0s}
  - {name: out, type: stdout}
  - {name: h, type: http, url: "http://127.0.0.1:1/x?a=b", batch: {max_events: 2, max_bytes: 3KiB, max_delay: 4s},
     timeout: 6s, gzip: true, dead_letter: dl, spool: {dir: /tmp/s, max_bytes: 10MiB}}
  - {name: k, type: kafka, brokers: "b:1", topic: "t", key: none, properties: {acks: all, "linger.ms": "5"}}
access_log: {path: /var/log/a.log, format: combined, ip: drop}
)";

TEST(ConfigDump, RoundTripIsEqual) {
  LoadResult first = loadConfigString(kRich, "rich.yaml");
  ASSERT_TRUE(first.config) << errorsOf(first);
  const std::string dumped = dumpConfig(*first.config);
  LoadResult second = loadConfigString(dumped, "dump.yaml");
  ASSERT_TRUE(second.config) << errorsOf(second) << dumped;
  Config a = *first.config;
  Config b = *second.config;
  a.sourcePath = b.sourcePath = "";
  // a key file's path is no secret, and --check of the dump must find the file again
  EXPECT_EQ(b.listeners.at(1).tls->certificates.at(0).key, "site.key");
  EXPECT_TRUE(a == b) << dumped;
  EXPECT_EQ(dumpConfig(b), dumpConfig(a));
}

// Strings that YAML 1.1 readers would load as numbers, booleans or the !!value tag are quoted;
// ordinary strings (addresses, durations, names) stay plain.
TEST(ConfigDump, QuotesStringsOtherReadersWouldRetype) {
  LoadResult r = loadConfigString(
      "upstreams: [{name: s, servers: ['h:1']}]\n"
      "listeners: [{address: '127.0.0.1:1', tls: {certificates: [{cert: c, key: k}]}}]\n"
      "consent: {sources: [{type: cookie, name: c, format: kv}], require: [{cookie: a, value: "
      "'1'}]}\n"
      "regions: [{name: eea, countries: [DE, 'NO']}, {name: default}]\n",
      "q.yaml");
  ASSERT_TRUE(r.config) << errorsOf(r);
  const std::string d = dumpConfig(*r.config);
  EXPECT_NE(d.find("value: \"1\""), std::string::npos) << d;
  EXPECT_NE(d.find("kv_separator: \"=\""), std::string::npos) << d;
  EXPECT_NE(d.find("countries: [DE, \"NO\"]"), std::string::npos) << d;
  EXPECT_NE(d.find("min_version: \"1.2\""), std::string::npos) << d;
  EXPECT_NE(d.find("servers: [h:1]"), std::string::npos) << d;
  EXPECT_NE(d.find("drain_timeout: 15s"), std::string::npos) << d;
  EXPECT_NE(d.find("gpc: refuse_marketing"), std::string::npos) << d;
}

TEST(ConfigDump, RoundTripOfDefaultsAndEmbeddedConfig) {
  const std::pair<std::string_view, std::string_view> configs[] = {
      {"upstreams: [{name: s, servers: ['h:1']}]\n", "a.yaml"},
      {embeddedDefaultConfig(), kEmbeddedConfigName}};  // its region includes are compiled in
  for (const auto& [yaml, name] : configs) {
    LoadResult first = loadConfigString(yaml, std::string(name));
    ASSERT_TRUE(first.config) << errorsOf(first);
    LoadResult second = loadConfigString(dumpConfig(*first.config), std::string(name));
    ASSERT_TRUE(second.config) << errorsOf(second) << dumpConfig(*first.config);
    EXPECT_TRUE(*first.config == *second.config) << dumpConfig(*first.config);
  }
}

TEST(ConfigDump, DefaultsAreFilledIn) {
  LoadResult r = loadConfigString("upstreams: [{name: s, servers: ['h:1']}]\n", "a.yaml");
  ASSERT_TRUE(r.config);
  const std::string d = dumpConfig(*r.config);
  for (const char* expected :
       {"max_header_bytes: 64KiB", "drain_timeout: 15s", "workers: auto", "busy_poll: auto",
        "upstream: s", "name: local", "path: events/events.jsonl", "unknown_region: strictest",
        "ua_regexes: /usr/share/uap-core/regexes.yaml", "gpc: refuse_marketing",
        "visitor_cookie: __csy_vid", "address: 127.0.0.1:9901"}) {
    EXPECT_NE(d.find(expected), std::string::npos) << expected << "\n" << d;
  }
}

TEST(ConfigDump, SecretsAreRedacted) {
  LoadResult r = loadConfigString(R"(
upstreams: [{name: s, servers: ['h:1']}]
listeners:
  - address: 0.0.0.0:443
    tls: {certificates: [{cert: site.crt, key: /etc/ssl/private/site-key.pem}]}
sinks:
  - {name: h, type: http, url: "https://c/e", headers: {Authorization: "Bearer TOPSECRET-TOKEN"}}
  - name: k
    type: kafka
    brokers: b:1
    topic: t
    properties: {sasl.username: TOPSECRET-USER, sasl.password: TOPSECRET-PW,
                 ssl.key.password: TOPSECRET-SSL, client.secret: TOPSECRET-X, acks: all}
)",
                                  "s.yaml");
  ASSERT_TRUE(r.config) << errorsOf(r);
  const std::string d = dumpConfig(*r.config);
  EXPECT_EQ(d.find("TOPSECRET"), std::string::npos) << d;
  EXPECT_NE(d.find("site.crt"), std::string::npos);
  EXPECT_NE(d.find("key: /etc/ssl/private/site-key.pem"), std::string::npos) << d;  // a path
  EXPECT_NE(d.find("Authorization: <redacted>"), std::string::npos) << d;
  EXPECT_NE(d.find("sasl.password: <redacted>"), std::string::npos) << d;
  EXPECT_NE(d.find("acks: all"), std::string::npos) << d;
  // Redacted values still load: the dump is a valid config.
  LoadResult back = loadConfigString(d, "dump.yaml");
  EXPECT_TRUE(back.config) << errorsOf(back);
}

}  // namespace
}  // namespace consentry::config
