#pragma once
// The immutable, validated configuration snapshot (SPEC §2). Plain data only: every module reads
// its own section; config/config_loader.h fills it from YAML and reports FILE:LINE:COL errors.
// Defaults here are the documented defaults, so an empty file is a working config.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/units.h"

namespace consentry::config {

using namespace std::chrono_literals;

struct Certificate {
  std::string cert;  // PEM chain path
  std::string key;   // PEM key path (shown in --dump-config: a path is no secret)
  bool operator==(const Certificate&) const = default;
};

struct TlsConfig {
  std::vector<Certificate> certificates;
  std::string minVersion = "1.2";  // "1.2" | "1.3"
  Duration ticketRotation = Duration(12 * 3600 * 1000);
  bool operator==(const TlsConfig&) const = default;
};

struct Listener {
  std::string address = "0.0.0.0:8080";  // host:port, [v6]:port
  bool http2 = true;                     // h2c prior knowledge on cleartext, ALPN h2 on TLS
  std::optional<TlsConfig> tls;
  bool operator==(const Listener&) const = default;
};

struct Admin {
  std::string address = "127.0.0.1:9901";
  bool operator==(const Admin&) const = default;
};

struct Limits {
  uint64_t maxHeaderBytes = 64 * kKiB;
  uint32_t maxHeaders = 100;
  uint64_t maxUriBytes = 8 * kKiB;
  uint64_t maxBodyBytes = 10 * kMiB;
  Duration headerTimeout = 10s;
  Duration idleTimeout = 60s;
  Duration bodyTimeout = 60s;
  uint32_t maxConnections = 20000;
  bool operator==(const Limits&) const = default;
};

enum class Balance { RoundRobin, LeastConn };

struct UpstreamTimeouts {
  Duration connect = 2s;
  Duration response = 30s;
  Duration idle = 60s;
  bool operator==(const UpstreamTimeouts&) const = default;
};

struct HealthCheck {
  std::string path = "/healthz";
  Duration interval = 5s;
  Duration timeout = 2s;
  uint32_t healthyThreshold = 2;
  uint32_t unhealthyThreshold = 3;
  bool operator==(const HealthCheck&) const = default;
};

struct Upstream {
  std::string name;
  std::vector<std::string> servers;  // host:port
  Balance balance = Balance::RoundRobin;
  uint32_t keepalive = 64;  // idle connections kept per worker and server
  UpstreamTimeouts timeouts;
  std::optional<HealthCheck> health;
  uint32_t maxFails = 3;       // consecutive failures before passive ejection
  Duration failTimeout = 10s;  // how long an ejected server stays out
  uint32_t retries = 1;        // extra attempts for idempotent, never-sent requests
  bool operator==(const Upstream&) const = default;
};

struct Route {
  std::string host = "*";  // exact, "*.example.com" or "*"
  std::string prefix = "/";
  std::string upstream;
  bool operator==(const Route&) const = default;
};

// ---- consent (SPEC §3) ----

enum class ConsentSourceType { Cookie, Tcf, OneTrust, Cookiebot, CookieYes, CcCookie, Klaro };
enum class CookieFormat { Kv, Json };

struct ConsentSource {
  ConsentSourceType type = ConsentSourceType::Cookie;
  std::string cookie;                      // cookie name (`name` for type cookie)
  CookieFormat format = CookieFormat::Kv;  // type cookie only
  std::string pairSeparator = "|";         // kv: between pairs
  std::string kvSeparator = "=";           // kv: between key and value
  std::string versionKey = "v";            // kv/json: key holding the policy version
  // category (analytics|marketing|functional) -> the source's own key/group/service name(s).
  // The loader fills each type's default map (docs/configuration.md); a map in the file replaces
  // it whole. Empty for tcf, which uses the purpose lists.
  std::map<std::string, std::vector<std::string>> map;
  // tcf only
  std::vector<int> analyticsPurposes = {1, 8, 9, 10};
  std::vector<int> marketingPurposes = {1, 3, 4};
  std::vector<int> functionalPurposes = {1};
  std::optional<int> vendorId;
  bool acceptLi = false;
  Duration maxConsentAge = Duration(int64_t{395} * 86'400'000);
  bool operator==(const ConsentSource&) const = default;
};

struct RequiredCookie {
  std::string cookie;
  std::string value;  // empty: any value, the cookie only has to be present
  bool operator==(const RequiredCookie&) const = default;
};

enum class GpcMode { Ignore, RefuseMarketing, RefuseAll };

struct Consent {
  std::vector<ConsentSource> sources;  // empty: nobody has consent
  std::optional<int> minPolicyVersion;
  std::vector<RequiredCookie> require;
  GpcMode gpc = GpcMode::RefuseMarketing;
  bool operator==(const Consent&) const = default;
};

// ---- telemetry (SPEC §4) ----

enum class RecordMode { Documents, All, None };
enum class VisitorIdMode { Cookie, DailyHash, None };
enum class BotMode { Flag, Drop };

struct Beacon {
  std::string path = "/__consentry/collect";
  std::string script = "/__consentry/t.js";
  uint64_t maxBytes = 32 * kKiB;
  uint32_t maxEvents = 64;
  bool operator==(const Beacon&) const = default;
};

struct Telemetry {
  RecordMode record = RecordMode::Documents;
  Beacon beacon;
  bool clientHints = true;
  std::string uaRegexes = "/usr/share/uap-core/regexes.yaml";
  uint32_t uaCacheEntries = 4096;  // per worker
  VisitorIdMode visitorId = VisitorIdMode::Cookie;
  std::string visitorCookie = "__csy_vid";
  BotMode bots = BotMode::Flag;
  bool operator==(const Telemetry&) const = default;
};

// ---- geo, regions, privacy (SPEC §2, §9) ----

struct Geo {
  std::string database;  // empty: geo lookup off, every client in region "default"
  bool operator==(const Geo&) const = default;
};

enum class IpRule { Keep, Drop, Truncate };
enum class VersionRule { Full, Major, Drop };
enum class LanguageRule { Full, Primary, Drop };
enum class ScreenRule { Exact, Bucket, Drop };
enum class LocationRule { Subdivision, Country, Drop };
enum class ReferrerRule { Full, Origin, Drop };
enum class KeepRule { Keep, Drop };

struct FieldPolicy {
  IpRule ip = IpRule::Keep;
  int ipV4Bits = 32;
  int ipV6Bits = 128;
  VersionRule osVersion = VersionRule::Full;
  VersionRule browserVersion = VersionRule::Full;
  LanguageRule language = LanguageRule::Full;
  ScreenRule screen = ScreenRule::Exact;
  LocationRule location = LocationRule::Subdivision;
  ReferrerRule referrer = ReferrerRule::Full;
  KeepRule path = KeepRule::Keep;
  KeepRule visitor = KeepRule::Keep;
  KeepRule props = KeepRule::Keep;
  bool operator==(const FieldPolicy&) const = default;
};

struct Region {
  std::string name;
  std::vector<std::string> countries;     // ISO 3166-1 alpha-2
  std::vector<std::string> subdivisions;  // "US-CA"
  std::vector<std::string> continents;    // "EU", "NA", ...
  bool isDefault = false;                 // name "default" or no match criteria
  FieldPolicy fields;
  std::vector<std::string> sinks;  // empty: all sinks
  std::optional<GpcMode> gpc;      // overrides consent.gpc for this region
  bool operator==(const Region&) const = default;
};

struct Privacy {
  // category -> cookie name patterns ('*' wildcard)
  std::map<std::string, std::vector<std::string>> stripCookies;
  std::vector<std::string> scrubQueryParams = {"email",  "token",   "password", "passwd",
                                               "secret", "api_key", "apikey",   "access_token",
                                               "auth",   "session", "ssn",      "phone"};
  std::vector<std::string> detectors = {"email", "phone", "card", "iban", "jwt", "ip"};
  bool operator==(const Privacy&) const = default;
};

// ---- sinks (SPEC §6) ----

enum class SinkType { File, Stdout, Http, Kafka };
enum class EventFormat { Json, CloudEvents };

struct Spool {
  std::string dir;  // the loader fills spool/<sink name> for http and kafka sinks
  uint64_t maxBytes = uint64_t{1} << 30;
  bool operator==(const Spool&) const = default;
};

struct Sink {
  std::string name;
  SinkType type = SinkType::File;
  EventFormat format = EventFormat::Json;
  // file
  std::string path = "events/events.jsonl";
  uint64_t rotateMaxBytes = 100 * kMiB;
  Duration rotateMaxAge = 1h;
  Duration fsync = 1s;
  // http
  std::string url;
  uint32_t batchMaxEvents = 500;
  uint64_t batchMaxBytes = kMiB;
  Duration batchMaxDelay = 1s;
  Duration timeout = 5s;
  bool gzip = false;
  std::map<std::string, std::string> headers;  // redacted in --dump-config
  std::string deadLetter;                      // empty: <spool dir>/dead-letter.jsonl
  // kafka
  std::string brokers;
  std::string topic;
  std::string key = "visitor";  // visitor | none
  std::map<std::string, std::string> properties;
  Spool spool;
  bool operator==(const Sink&) const = default;
};

struct AccessLog {
  std::string path = "stdout";  // stdout | off | file path
  std::string format = "json";  // json | combined
  IpRule ip = IpRule::Truncate;
  bool operator==(const AccessLog&) const = default;
};

struct Config {
  std::string sourcePath;  // the file this was loaded from ("<embedded>" for the default)
  std::vector<Listener> listeners = {Listener{}};
  Admin admin;
  int workers = 0;  // 0 = auto: one per core
  // How long a worker keeps polling for events, without sleeping, after its last event (0: it
  // sleeps in epoll_wait at once). See docs/configuration.md for when this pays. busyPollAuto
  // (`busy_poll: auto`, the default): the worker picks the window for its host (busyPoll unused).
  std::chrono::microseconds busyPoll{0};
  bool busyPollAuto = true;
  std::vector<IpNetwork> trustedProxies;
  Limits limits;
  std::vector<Upstream> upstreams;
  std::vector<Route> routes;  // never empty after load: no routes -> "*" "/" -> first upstream
  Duration drainTimeout = 15s;
  Consent consent;
  Telemetry telemetry;
  Geo geo;
  std::vector<Region> regions;
  std::string unknownRegion = "strictest";
  std::vector<std::string> unknownSinks;
  Privacy privacy;
  std::vector<Sink> sinks;  // never empty after load: no sinks -> file sink "local"
  AccessLog accessLog;
  bool operator==(const Config&) const = default;
};

using ConfigPtr = std::shared_ptr<const Config>;

}  // namespace consentry::config
