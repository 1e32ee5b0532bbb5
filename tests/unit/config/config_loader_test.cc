#include "config/config_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace consentry::config {
namespace {

using namespace std::chrono_literals;

std::string joinErrors(const LoadResult& r) {
  std::string out;
  for (const ConfigError& e : r.errors) out += e.format() + "\n";
  return out;
}

ConfigPtr mustLoad(const std::string& yaml) {
  LoadResult r = loadConfigString(yaml, "test.yaml");
  EXPECT_TRUE(r.errors.empty()) << joinErrors(r);
  return r.config;
}

constexpr const char* kMinimal = "upstreams: [{name: site, servers: ['127.0.0.1:8081']}]\n";

TEST(ConfigLoader, MinimalConfigTakesEveryDefault) {
  ConfigPtr c = mustLoad(kMinimal);
  ASSERT_TRUE(c);
  const Config defaults;
  EXPECT_EQ(c->sourcePath, "test.yaml");
  ASSERT_EQ(c->listeners.size(), 1u);
  EXPECT_EQ(c->listeners[0].address, "0.0.0.0:8080");
  EXPECT_TRUE(c->listeners[0].http2);
  EXPECT_FALSE(c->listeners[0].tls);
  EXPECT_EQ(c->admin.address, "127.0.0.1:9901");
  EXPECT_EQ(c->workers, 0);
  EXPECT_TRUE(c->busyPollAuto);  // the worker picks the window for its host
  EXPECT_TRUE(c->trustedProxies.empty());
  EXPECT_EQ(c->limits, defaults.limits);
  EXPECT_EQ(c->limits.maxHeaderBytes, 64u * 1024);
  EXPECT_EQ(c->limits.maxBodyBytes, 10u * 1024 * 1024);
  EXPECT_EQ(c->limits.headerTimeout, 10s);
  EXPECT_EQ(c->limits.maxConnections, 20000u);
  ASSERT_EQ(c->upstreams.size(), 1u);
  const Upstream& u = c->upstreams[0];
  EXPECT_EQ(u.balance, Balance::RoundRobin);
  EXPECT_EQ(u.keepalive, 64u);
  EXPECT_EQ(u.timeouts.connect, 2s);
  EXPECT_EQ(u.timeouts.response, 30s);
  EXPECT_FALSE(u.health);
  EXPECT_EQ(u.maxFails, 3u);
  EXPECT_EQ(u.retries, 1u);
  // No routes: everything goes to the first upstream.
  ASSERT_EQ(c->routes.size(), 1u);
  EXPECT_EQ(c->routes[0].host, "*");
  EXPECT_EQ(c->routes[0].prefix, "/");
  EXPECT_EQ(c->routes[0].upstream, "site");
  EXPECT_EQ(c->drainTimeout, 15s);
  // No consent sources: nobody has consent.
  EXPECT_TRUE(c->consent.sources.empty());
  EXPECT_FALSE(c->consent.minPolicyVersion);
  EXPECT_TRUE(c->consent.require.empty());
  EXPECT_EQ(c->consent.gpc, GpcMode::RefuseMarketing);
  EXPECT_EQ(c->telemetry, defaults.telemetry);
  EXPECT_EQ(c->telemetry.record, RecordMode::Documents);
  EXPECT_EQ(c->telemetry.beacon.path, "/__consentry/collect");
  EXPECT_EQ(c->telemetry.uaRegexes, "/usr/share/uap-core/regexes.yaml");
  EXPECT_EQ(c->telemetry.visitorCookie, "__csy_vid");
  EXPECT_TRUE(c->geo.database.empty());
  EXPECT_TRUE(c->regions.empty());
  EXPECT_EQ(c->unknownRegion, "strictest");
  EXPECT_EQ(c->privacy, defaults.privacy);
  // No sinks: one file sink "local" at events/events.jsonl.
  ASSERT_EQ(c->sinks.size(), 1u);
  EXPECT_EQ(c->sinks[0].name, "local");
  EXPECT_EQ(c->sinks[0].type, SinkType::File);
  EXPECT_EQ(c->sinks[0].path, "events/events.jsonl");
  EXPECT_EQ(c->accessLog, defaults.accessLog);
  EXPECT_EQ(c->accessLog.ip, IpRule::Truncate);
}

TEST(ConfigLoader, NullSectionsMeanDefaults) {
  ConfigPtr c = mustLoad(std::string(kMinimal) + "admin:\nlimits:\nconsent:\nregions:\nsinks:\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->admin.address, "127.0.0.1:9901");
  EXPECT_EQ(c->sinks.size(), 1u);
}

TEST(ConfigLoader, ServerKeysBlockStyle) {
  ConfigPtr c = mustLoad(R"(
listeners:
  - address: 127.0.0.1:8080
    http2: false
  - address: "[::1]:8443"
    tls:
      certificates:
        - cert: a.crt
          key: a.key
        - {cert: b.crt, key: b.key}
      min_version: "1.3"
      ticket_rotation: 6h
admin: {address: "[::1]:9902"}
workers: 4
busy_poll: 1ms
trusted_proxies: [127.0.0.1/32, 10.0.0.0/8, "::1"]
limits:
  max_header_bytes: 16KiB
  max_headers: 50
  max_uri_bytes: 4KiB
  max_body_bytes: 1MiB
  header_timeout: 3s
  idle_timeout: 2m
  body_timeout: 250ms
  max_connections: 100
upstreams:
  - name: site
    servers: [127.0.0.1:8081, "backend.local:80"]
    balance: least_conn
    keepalive: 8
    timeouts: {connect: 1s, response: 5s, idle: 30s}
    health: {path: /ping, interval: 2s, timeout: 500ms, healthy_threshold: 1, unhealthy_threshold: 5}
    max_fails: 7
    fail_timeout: 20s
    retries: 0
  - name: api
    servers: ["[::1]:9000"]
routes:
  - {host: api.example.com, prefix: /v1, upstream: api}
  - {prefix: /, upstream: site}
drain_timeout: 1m
access_log: {path: off, format: combined, ip: keep}
)");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->listeners.size(), 2u);
  EXPECT_EQ(c->listeners[0].address, "127.0.0.1:8080");
  EXPECT_FALSE(c->listeners[0].http2);
  ASSERT_TRUE(c->listeners[1].tls);
  ASSERT_EQ(c->listeners[1].tls->certificates.size(), 2u);
  EXPECT_EQ(c->listeners[1].tls->certificates[1].cert, "b.crt");
  EXPECT_EQ(c->listeners[1].tls->certificates[0].key, "a.key");
  EXPECT_EQ(c->listeners[1].tls->minVersion, "1.3");
  EXPECT_EQ(c->listeners[1].tls->ticketRotation, 6h);
  EXPECT_EQ(c->admin.address, "[::1]:9902");
  EXPECT_EQ(c->workers, 4);
  EXPECT_EQ(c->busyPoll, std::chrono::microseconds(1000));
  EXPECT_FALSE(c->busyPollAuto);
  ASSERT_EQ(c->trustedProxies.size(), 3u);
  EXPECT_EQ(c->trustedProxies[1].prefixLength(), 8);
  EXPECT_TRUE(c->trustedProxies[2].contains(*IpAddress::parse("::1")));
  EXPECT_EQ(c->limits.maxHeaderBytes, 16u * 1024);
  EXPECT_EQ(c->limits.maxHeaders, 50u);
  EXPECT_EQ(c->limits.maxUriBytes, 4096u);
  EXPECT_EQ(c->limits.maxBodyBytes, 1024u * 1024);
  EXPECT_EQ(c->limits.headerTimeout, 3s);
  EXPECT_EQ(c->limits.idleTimeout, 2min);
  EXPECT_EQ(c->limits.bodyTimeout, 250ms);
  EXPECT_EQ(c->limits.maxConnections, 100u);
  const Upstream& u = c->upstreams[0];
  EXPECT_EQ(u.servers, (std::vector<std::string>{"127.0.0.1:8081", "backend.local:80"}));
  EXPECT_EQ(u.balance, Balance::LeastConn);
  EXPECT_EQ(u.keepalive, 8u);
  EXPECT_EQ(u.timeouts.connect, 1s);
  EXPECT_EQ(u.timeouts.response, 5s);
  EXPECT_EQ(u.timeouts.idle, 30s);
  ASSERT_TRUE(u.health);
  EXPECT_EQ(u.health->path, "/ping");
  EXPECT_EQ(u.health->interval, 2s);
  EXPECT_EQ(u.health->timeout, 500ms);
  EXPECT_EQ(u.health->healthyThreshold, 1u);
  EXPECT_EQ(u.health->unhealthyThreshold, 5u);
  EXPECT_EQ(u.maxFails, 7u);
  EXPECT_EQ(u.failTimeout, 20s);
  EXPECT_EQ(u.retries, 0u);
  EXPECT_EQ(c->upstreams[1].name, "api");
  ASSERT_EQ(c->routes.size(), 2u);
  EXPECT_EQ(c->routes[0].host, "api.example.com");
  EXPECT_EQ(c->routes[0].prefix, "/v1");
  EXPECT_EQ(c->routes[0].upstream, "api");
  EXPECT_EQ(c->routes[1].host, "*");
  EXPECT_EQ(c->drainTimeout, 1min);
  EXPECT_EQ(c->accessLog.path, "off");
  EXPECT_EQ(c->accessLog.format, "combined");
  EXPECT_EQ(c->accessLog.ip, IpRule::Keep);
}

TEST(ConfigLoader, WorkersAuto) {
  ConfigPtr c = mustLoad(std::string(kMinimal) + "workers: auto\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->workers, 0);
}

TEST(ConfigLoader, ConsentAndTelemetryKeys) {
  ConfigPtr c = mustLoad(std::string(kMinimal) + R"(
consent:
  sources:
    - {type: cookie, name: site_consent, format: kv, map: {analytics: analytics, marketing: [ads, ads2]},
       pair_separator: ",", kv_separator: ":", version_key: ver}
    - {type: tcf, cookie: euconsent-v2, analytics_purposes: [1, 8], marketing_purposes: [1, 3, 4],
       functional_purposes: [1, 11], vendor_id: 755, accept_li: true, max_consent_age: 30d}
    - {type: onetrust, cookie: OptanonConsent, map: {analytics: C0002, marketing: C0004}}
    - {type: cookiebot}
    - {type: cookieyes}
    - {type: cc_cookie}
    - {type: klaro, map: {analytics: [matomo]}}
    - {type: cookie, cookie: prefs, format: json}
  min_policy_version: 3
  require: [{cookie: age_verified, value: "1"}]
  gpc: refuse_all
telemetry:
  record: all
  beacon: {path: /c, script: /t.js, max_bytes: 8KiB, max_events: 10}
  client_hints: false
  ua_regexes: regexes.yaml
  ua_cache_entries: 100
  visitor_id: daily_hash
  visitor_cookie: vid
  bots: drop
)");
  ASSERT_TRUE(c);
  const auto& s = c->consent.sources;
  ASSERT_EQ(s.size(), 8u);
  EXPECT_EQ(s[0].type, ConsentSourceType::Cookie);
  EXPECT_EQ(s[0].cookie, "site_consent");
  EXPECT_EQ(s[0].format, CookieFormat::Kv);
  EXPECT_EQ(s[0].pairSeparator, ",");
  EXPECT_EQ(s[0].kvSeparator, ":");
  EXPECT_EQ(s[0].versionKey, "ver");
  EXPECT_EQ(s[0].map.at("analytics"), std::vector<std::string>{"analytics"});
  EXPECT_EQ(s[0].map.at("marketing"), (std::vector<std::string>{"ads", "ads2"}));
  EXPECT_EQ(s[0].map.count("functional"), 0u);  // a given map replaces the default one
  EXPECT_EQ(s[1].type, ConsentSourceType::Tcf);
  EXPECT_EQ(s[1].analyticsPurposes, (std::vector<int>{1, 8}));
  EXPECT_EQ(s[1].functionalPurposes, (std::vector<int>{1, 11}));
  EXPECT_EQ(s[1].vendorId, 755);
  EXPECT_TRUE(s[1].acceptLi);
  EXPECT_EQ(s[1].maxConsentAge, std::chrono::hours(24 * 30));
  EXPECT_EQ(s[2].map.at("marketing"), std::vector<std::string>{"C0004"});
  EXPECT_EQ(s[3].type, ConsentSourceType::Cookiebot);
  EXPECT_EQ(s[3].cookie, "CookieConsent");
  EXPECT_EQ(s[3].map.at("analytics"), std::vector<std::string>{"statistics"});
  EXPECT_EQ(s[4].cookie, "cookieyes-consent");
  EXPECT_EQ(s[5].type, ConsentSourceType::CcCookie);
  EXPECT_EQ(s[5].cookie, "cc_cookie");
  EXPECT_EQ(s[6].cookie, "klaro");
  EXPECT_EQ(s[6].map.at("analytics"), std::vector<std::string>{"matomo"});
  EXPECT_EQ(s[7].format, CookieFormat::Json);
  EXPECT_EQ(c->consent.minPolicyVersion, 3);
  ASSERT_EQ(c->consent.require.size(), 1u);
  EXPECT_EQ(c->consent.require[0].cookie, "age_verified");
  EXPECT_EQ(c->consent.require[0].value, "1");
  EXPECT_EQ(c->consent.gpc, GpcMode::RefuseAll);
  const Telemetry& t = c->telemetry;
  EXPECT_EQ(t.record, RecordMode::All);
  EXPECT_EQ(t.beacon.path, "/c");
  EXPECT_EQ(t.beacon.script, "/t.js");
  EXPECT_EQ(t.beacon.maxBytes, 8192u);
  EXPECT_EQ(t.beacon.maxEvents, 10u);
  EXPECT_FALSE(t.clientHints);
  EXPECT_EQ(t.uaRegexes, "regexes.yaml");
  EXPECT_EQ(t.uaCacheEntries, 100u);
  EXPECT_EQ(t.visitorId, VisitorIdMode::DailyHash);
  EXPECT_EQ(t.visitorCookie, "vid");
  EXPECT_EQ(t.bots, BotMode::Drop);
}

TEST(ConfigLoader, RegionsPrivacyAndGeo) {
  ConfigPtr c = mustLoad(std::string(kMinimal) + R"(
geo: {database: /var/lib/GeoIP/GeoLite2-City.mmdb}
regions:
  - name: eea
    countries: [AT, be, DE]
    continents: [EU]
    fields: {ip: {truncate: {v4: 24, v6: 48}}, os_version: major, browser_version: drop,
             language: primary, screen: bucket, location: country, referrer: origin,
             path: drop, visitor: drop, props: drop}
    sinks: [eu_events]
    gpc: refuse_all
  - name: us-ca
    subdivisions: [US-CA]
    fields: {ip: truncate}
  - name: anon
    countries: [XX]
    fields: {ip: drop}
  - {name: default}
unknown_region: eea
unknown_sinks: [local]
privacy:
  strip_cookies: {analytics: ["_ga", "_ga_*"], marketing: ["_fbp"]}
  scrub: {query_params: [email, token], detectors: [email, card]}
sinks:
  - {name: local, type: file}
  - {name: eu_events, type: kafka, brokers: "127.0.0.1:9092", topic: telemetry-eu}
)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->geo.database, "/var/lib/GeoIP/GeoLite2-City.mmdb");
  ASSERT_EQ(c->regions.size(), 4u);
  const Region& eea = c->regions[0];
  EXPECT_EQ(eea.countries, (std::vector<std::string>{"AT", "BE", "DE"}));
  EXPECT_EQ(eea.continents, std::vector<std::string>{"EU"});
  EXPECT_FALSE(eea.isDefault);
  EXPECT_EQ(eea.fields.ip, IpRule::Truncate);
  EXPECT_EQ(eea.fields.ipV4Bits, 24);
  EXPECT_EQ(eea.fields.ipV6Bits, 48);
  EXPECT_EQ(eea.fields.osVersion, VersionRule::Major);
  EXPECT_EQ(eea.fields.browserVersion, VersionRule::Drop);
  EXPECT_EQ(eea.fields.language, LanguageRule::Primary);
  EXPECT_EQ(eea.fields.screen, ScreenRule::Bucket);
  EXPECT_EQ(eea.fields.location, LocationRule::Country);
  EXPECT_EQ(eea.fields.referrer, ReferrerRule::Origin);
  EXPECT_EQ(eea.fields.path, KeepRule::Drop);
  EXPECT_EQ(eea.fields.visitor, KeepRule::Drop);
  EXPECT_EQ(eea.fields.props, KeepRule::Drop);
  EXPECT_EQ(eea.sinks, std::vector<std::string>{"eu_events"});
  EXPECT_EQ(eea.gpc, GpcMode::RefuseAll);
  EXPECT_EQ(c->regions[1].subdivisions, std::vector<std::string>{"US-CA"});
  EXPECT_EQ(c->regions[1].fields.ip, IpRule::Truncate);
  EXPECT_EQ(c->regions[1].fields.ipV4Bits, 24);
  EXPECT_EQ(c->regions[1].fields.osVersion, VersionRule::Full);  // unset fields are kept
  EXPECT_EQ(c->regions[2].fields.ip, IpRule::Drop);
  EXPECT_TRUE(c->regions[3].isDefault);
  EXPECT_EQ(c->unknownRegion, "eea");
  EXPECT_EQ(c->unknownSinks, std::vector<std::string>{"local"});
  EXPECT_EQ(c->privacy.stripCookies.at("analytics"), (std::vector<std::string>{"_ga", "_ga_*"}));
  EXPECT_EQ(c->privacy.scrubQueryParams, (std::vector<std::string>{"email", "token"}));
  EXPECT_EQ(c->privacy.detectors, (std::vector<std::string>{"email", "card"}));
}

TEST(ConfigLoader, SinkKeys) {
  ConfigPtr c = mustLoad(std::string(kMinimal) + R"(
sinks:
  - {name: local, type: file, path: out/e.jsonl, format: cloudevents,
     rotate: {max_bytes: 100MiB, max_age: 1h}, fsync: 2s}
  - {name: out, type: stdout}
  - name: collector
    type: http
    url: https://collector.example/events
    format: ndjson
    batch: {max_events: 100, max_bytes: 512KiB, max_delay: 200ms}
    timeout: 3s
    gzip: true
    headers: {Authorization: "Bearer x"}
    dead_letter: dl.jsonl
    spool: {dir: spool/c, max_bytes: 1GiB}
  - {name: eu, type: kafka, brokers: "a:9092,b:9092", topic: t, key: none,
     properties: {acks: all, sasl.password: pw}}
)");
  ASSERT_TRUE(c);
  ASSERT_EQ(c->sinks.size(), 4u);
  const Sink& f = c->sinks[0];
  EXPECT_EQ(f.path, "out/e.jsonl");
  EXPECT_EQ(f.format, EventFormat::CloudEvents);
  EXPECT_EQ(f.rotateMaxBytes, 100u << 20);
  EXPECT_EQ(f.rotateMaxAge, 1h);
  EXPECT_EQ(f.fsync, 2s);
  EXPECT_EQ(c->sinks[1].type, SinkType::Stdout);
  const Sink& h = c->sinks[2];
  EXPECT_EQ(h.type, SinkType::Http);
  EXPECT_EQ(h.format, EventFormat::Json);
  EXPECT_EQ(h.url, "https://collector.example/events");
  EXPECT_EQ(h.batchMaxEvents, 100u);
  EXPECT_EQ(h.batchMaxBytes, 512u * 1024);
  EXPECT_EQ(h.batchMaxDelay, 200ms);
  EXPECT_EQ(h.timeout, 3s);
  EXPECT_TRUE(h.gzip);
  EXPECT_EQ(h.headers.at("Authorization"), "Bearer x");
  EXPECT_EQ(h.deadLetter, "dl.jsonl");
  EXPECT_EQ(h.spool.dir, "spool/c");
  EXPECT_EQ(h.spool.maxBytes, 1u << 30);
  const Sink& k = c->sinks[3];
  EXPECT_EQ(k.brokers, "a:9092,b:9092");
  EXPECT_EQ(k.topic, "t");
  EXPECT_EQ(k.key, "none");
  EXPECT_EQ(k.properties.at("acks"), "all");
  EXPECT_EQ(k.spool.dir, "spool/eu");  // default spool dir is per sink
}

TEST(ConfigLoader, CollectsEveryErrorNotJustTheFirst) {
  LoadResult r =
      loadConfigString("workers: 0\ndrain_timeout: soon\nbogus: 1\nupstreams: []\n", "x.yaml");
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 4u) << joinErrors(r);
  // Sorted by position, whatever order the checks found them in.
  EXPECT_EQ(r.errors[0].format(), "x.yaml:1:10: workers: expected an integer from 1 to 256");
  EXPECT_EQ(r.errors[1].line, 2);
  EXPECT_EQ(r.errors[2].format(), "x.yaml:3:1: unknown key 'bogus'");
  EXPECT_EQ(r.errors[3].format(), "x.yaml:4:1: upstreams: at least one upstream is required");
}

TEST(ConfigLoader, EverySectionMayBeOmitted) {
  // SPEC §2: an empty document and a config without upstreams take the safe defaults; the
  // origin is where the shipped config puts it.
  for (const char* yaml : {"", "# nothing but a comment\n", "workers: 2\n"}) {
    LoadResult r = loadConfigString(yaml, "e.yaml");
    ASSERT_TRUE(r.config) << joinErrors(r);
    ASSERT_EQ(r.config->upstreams.size(), 1u);
    EXPECT_EQ(r.config->upstreams[0].name, "site");
    EXPECT_EQ(r.config->upstreams[0].servers, std::vector<std::string>{"127.0.0.1:8081"});
    ASSERT_EQ(r.config->routes.size(), 1u);
    EXPECT_EQ(r.config->routes[0].upstream, "site");
    EXPECT_EQ(r.config->listeners.at(0).address, "0.0.0.0:8080");
    EXPECT_TRUE(r.config->consent.sources.empty()) << "no sources: nobody has consent";
    EXPECT_EQ(r.config->sinks.at(0).path, "events/events.jsonl");
  }
}

TEST(ConfigLoader, EmbeddedDefaultLoadsAndMatchesTheShippedFile) {
  LoadResult r = loadConfigString(embeddedDefaultConfig(), "<embedded>");
  ASSERT_TRUE(r.config) << joinErrors(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.listeners.at(0).address, "0.0.0.0:8080");
  EXPECT_TRUE(c.listeners.at(0).http2);
  EXPECT_EQ(c.admin.address, "127.0.0.1:9901");
  EXPECT_EQ(c.upstreams.at(0).name, "site");
  EXPECT_EQ(c.upstreams.at(0).servers.at(0), "127.0.0.1:8081");
  ASSERT_EQ(c.consent.sources.size(), 4u);
  EXPECT_EQ(c.consent.sources[0].cookie, "site_consent");
  EXPECT_EQ(c.consent.sources[1].cookie, "euconsent-v2");
  EXPECT_EQ(c.consent.minPolicyVersion, 1);
  // the demo site is adults-only: its age check's cookie gates telemetry
  ASSERT_EQ(c.consent.require.size(), 1u);
  EXPECT_EQ(c.consent.require[0].cookie, "age_verified");
  EXPECT_EQ(c.consent.require[0].value, "1");
  EXPECT_EQ(c.sinks.at(0).path, "events/events.jsonl");
  // The shipped legal presets (conf/regions/), compiled in for the embedded copy.
  std::vector<std::string> regions;
  for (const auto& region : c.regions) regions.push_back(region.name);
  ASSERT_GE(regions.size(), 6u);
  EXPECT_EQ(regions.front(), "gdpr");
  EXPECT_EQ(regions.back(), "default");
  for (const char* preset : {"brazil", "china"}) {
    EXPECT_NE(std::find(regions.begin(), regions.end(), preset), regions.end()) << preset;
  }

  std::ifstream in(std::string(CONSENTRY_SOURCE_DIR) + "/conf/consentry.yaml");
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file, embeddedDefaultConfig());
  LoadResult fromFile = loadConfigFile(std::string(CONSENTRY_SOURCE_DIR) + "/conf/consentry.yaml");
  ASSERT_TRUE(fromFile.config) << joinErrors(fromFile);
  EXPECT_EQ(fromFile.config->regions, c.regions) << "the compiled-in presets are the files'";
}

TEST(ConfigLoader, EmbeddedIncludesAreTheShippedPresetFiles) {
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(CONSENTRY_SOURCE_DIR) + "/conf/regions")) {
    std::ifstream in(entry.path());
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto embedded = embeddedInclude("regions/" + entry.path().filename().string());
    ASSERT_TRUE(embedded) << entry.path();
    EXPECT_EQ(*embedded, file) << entry.path();
  }
  EXPECT_FALSE(embeddedInclude("regions/nonexistent.yaml"));
  EXPECT_FALSE(embeddedInclude("/etc/passwd"));
}

TEST(ConfigLoader, OnlyTheEmbeddedConfigUsesEmbeddedIncludes) {
  // A config string with another name resolves includes against its own folder, as files do.
  LoadResult r = loadConfigString(
      "upstreams: [{name: s, servers: ['h:1']}]\nregions: [{include: regions/gdpr.yaml}]\n",
      "/nonexistent/x.yaml");
  ASSERT_FALSE(r.config);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_NE(r.errors[0].message.find("/nonexistent/regions/gdpr.yaml"), std::string::npos)
      << r.errors[0].format();
}

TEST(ConfigLoader, DirectoryIsNotAConfig) {
  LoadResult r = loadConfigFile("/tmp");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].format(), "/tmp:1:1: cannot read config file: is a directory");
}

TEST(ConfigLoader, MissingFileIsAnError) {
  LoadResult r = loadConfigFile("/nonexistent/consentry.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(
      r.errors[0].format().rfind("/nonexistent/consentry.yaml:1:1: cannot read config file", 0),
      0u);
}

}  // namespace
}  // namespace consentry::config

namespace consentry::config {
namespace {

TEST(ConfigLoaderFiles, NamedFilesAreCheckedOnlyWhenAsked) {
  const std::string yaml = std::string(kMinimal) +
                           "listeners:\n"
                           "  - address: 0.0.0.0:443\n"
                           "    tls: {certificates: [{cert: /nonexistent/a.crt, key: /dev/null}]}\n"
                           "geo: {database: /nonexistent/geo.mmdb}\n"
                           "telemetry: {ua_regexes: /nonexistent/regexes.yaml}\n";
  EXPECT_TRUE(loadConfigString(yaml, "f.yaml").config);
  LoadResult r = loadConfigString(yaml, "f.yaml", LoadOptions{.checkFiles = true});
  ASSERT_EQ(r.errors.size(), 3u) << joinErrors(r);
  EXPECT_EQ(r.errors[0].format(),
            "f.yaml:4:33: listeners[0].tls.certificates[0].cert: cannot read '/nonexistent/a.crt': "
            "No such file or directory");
  EXPECT_EQ(r.errors[1].format().rfind("f.yaml:5:17: geo.database: cannot read", 0), 0u);
  EXPECT_EQ(r.errors[2].format().rfind("f.yaml:6:25: telemetry.ua_regexes: cannot read", 0), 0u);
}

TEST(ConfigLoaderFiles, DefaultUaRegexesIsCheckedToo) {
  const std::string yaml =
      std::string(kMinimal) + "geo: {database: " + CONSENTRY_SOURCE_DIR + "/conf/consentry.yaml}\n";
  LoadResult r = loadConfigString(yaml, "f.yaml", LoadOptions{.checkFiles = true});
  // The uap-core regexes are installed on the build machine: only a broken install fails here.
  EXPECT_TRUE(r.config) << joinErrors(r);
  Config c;
  EXPECT_EQ(c.telemetry.uaRegexes, "/usr/share/uap-core/regexes.yaml");
}

}  // namespace
}  // namespace consentry::config

namespace consentry::config {
namespace {

// SPEC §2's sketch, with its "…" elisions filled in: the contract's own example must load.
constexpr const char* kSpecSketch = R"(
listeners:
  - address: 0.0.0.0:8080                  # cleartext: HTTP/1.1, and h2c prior knowledge if http2: true
    http2: true
  - address: 0.0.0.0:8443
    tls: {certificates: [{cert: site.crt, key: site.key}]}  # SNI picks by the cert's names; ALPN h2, http/1.1
admin: {address: 127.0.0.1:9901}           # /metrics /healthz /readyz /config
workers: auto                              # one event loop per core
trusted_proxies: [127.0.0.1/32]            # X-Forwarded-For / Forwarded honoured only from these
limits: {max_header_bytes: 64KiB, max_headers: 100, max_body_bytes: 10MiB, header_timeout: 10s,
         idle_timeout: 60s, max_connections: 20000}
upstreams:
  - name: site
    servers: [127.0.0.1:8081]
    balance: round_robin                   # | least_conn
    keepalive: 64
    timeouts: {connect: 2s, response: 30s}
    health: {path: /healthz, interval: 5s} # optional active checks; passive ejection always on
routes: [{host: "*", prefix: /, upstream: site}]
drain_timeout: 15s

consent:
  sources:                                 # tried in order; the first that yields a decision wins
    - {type: cookie, name: site_consent, format: kv, map: {analytics: analytics, marketing: ads}}
    - {type: tcf, cookie: euconsent-v2, analytics_purposes: [1, 8, 9, 10], marketing_purposes: [1, 3, 4]}
    - {type: onetrust, cookie: OptanonConsent, map: {analytics: C0002, marketing: C0004}}
    - {type: cookiebot, cookie: CookieConsent}
  min_policy_version: 3                    # consent given under an older policy counts as none
  require: [{cookie: age_verified, value: "1"}]   # adults-only gate: no telemetry without it
  gpc: refuse_marketing                    # Sec-GPC: 1 → ignore | refuse_marketing | refuse_all

telemetry:
  record: documents                        # documents | all | none (beacons only)
  beacon: {path: /__consentry/collect, script: /__consentry/t.js, max_bytes: 32KiB, max_events: 64}
  client_hints: true                       # Accept-CH on HTML responses, only with consent
  ua_regexes: /usr/share/uap-core/regexes.yaml
  visitor_id: cookie                       # cookie | daily_hash | none
  bots: flag                               # flag | drop

geo: {database: /var/lib/GeoIP/GeoLite2-City.mmdb}   # optional; absent → region "unknown"

regions:                                   # first match wins; "default" matches the rest
  - name: eea
    countries: [AT, BE, BG, DE, FR, NO, IS, LI]
    fields: {ip: {truncate: {v4: 24, v6: 48}}, os_version: major, browser_version: major,
             language: primary, screen: exact, location: country, referrer: origin}
    sinks: [eu_events]                     # residency: this region's events go only here
  - name: us-ca
    subdivisions: [US-CA]
    fields: {ip: {truncate: {v4: 24, v6: 48}}}
  - {name: default}
unknown_region: strictest                  # policy for failed lookups: strictest | NAME

privacy:
  strip_cookies: {analytics: ["_ga", "_ga_*", "_gid"], marketing: ["_fbp", "_gcl_*"]}
  scrub: {query_params: [email, token, password], detectors: [email, phone, card, iban]}

sinks:
  - {name: local, type: file, path: events/events.jsonl, rotate: {max_bytes: 100MiB, max_age: 1h}, fsync: 1s}
  - {name: collector, type: http, url: http://127.0.0.1:8686/events, format: ndjson,
     batch: {max_events: 500, max_delay: 1s}, spool: {dir: spool/collector, max_bytes: 1GiB}}
  - {name: eu_events, type: kafka, brokers: "127.0.0.1:9092", topic: telemetry-eu, key: visitor,
     properties: {acks: all}, spool: {dir: spool/kafka, max_bytes: 1GiB}}
access_log: {path: stdout, format: json, ip: truncate}
)";

TEST(ConfigLoader, SpecSketchLoads) {
  LoadResult r = loadConfigString(kSpecSketch, "sketch.yaml");
  ASSERT_TRUE(r.config) << joinErrors(r);
  const Config& c = *r.config;
  EXPECT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[1].tls->certificates.at(0).key, "site.key");
  EXPECT_EQ(c.consent.sources.size(), 4u);
  EXPECT_EQ(c.consent.require.at(0).value, "1");
  EXPECT_EQ(c.regions.size(), 3u);
  EXPECT_EQ(c.regions[0].countries.size(), 8u);
  EXPECT_TRUE(c.regions[2].isDefault);
  EXPECT_EQ(c.sinks.size(), 3u);
  EXPECT_EQ(c.sinks[1].spool.dir, "spool/collector");
  EXPECT_EQ(c.sinks[2].properties.at("acks"), "all");
}

}  // namespace
}  // namespace consentry::config
