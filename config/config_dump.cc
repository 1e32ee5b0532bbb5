// --dump-config: the effective config as YAML, in the order of SPEC §2, with secrets redacted.
// Only the keys valid for each sink/source type are written, so the dump loads back unchanged.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>
#include <type_traits>

#include "config/config_loader.h"
#include "config/node_reader.h"

namespace consentry::config {
namespace {

using detail::enumName;

constexpr const char* kRedacted = "<redacted>";

const detail::EnumTable<GpcMode> kGpc = {{"ignore", GpcMode::Ignore},
                                         {"refuse_marketing", GpcMode::RefuseMarketing},
                                         {"refuse_all", GpcMode::RefuseAll}};
const detail::EnumTable<IpRule> kIpRules = {
    {"keep", IpRule::Keep}, {"drop", IpRule::Drop}, {"truncate", IpRule::Truncate}};

bool isSecretProperty(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"sasl", "password", "secret", "ssl.key"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

// yaml-cpp writes a string such as "1", "1.2", "0x10", "NO", "off" or "=" as a plain scalar,
// which YAML 1.1 readers (PyYAML, Go's yaml.v2, Ruby's Psych) load as a number, a boolean or the
// !!value tag. Those strings are double-quoted so the dump means the same to every reader.
// YAML 1.1 and 1.2 core schema booleans, nulls, ints (binary, octal, decimal, hex, sexagesimal),
// floats, infinities and NaN; plus the merge key and the value indicator. Matched with PCRE2 (as
// the UA regexes are): GCC 12's std::regex trips -Wmaybe-uninitialized in sanitizer builds.
constexpr const char* kAmbiguousScalar =
    "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|"
    "~|null|Null|NULL|=|<<|"
    "[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|"
    "[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+|"
    "[-+]?([0-9][0-9_]*)?\\.?[0-9_]*([eE][-+]?[0-9]+)?|"
    "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)";

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

bool needsQuotes(std::string_view text) {
  static const std::unique_ptr<pcre2_code, CodeDeleter> kAmbiguous = [] {
    int error = 0;
    PCRE2_SIZE offset = 0;
    return std::unique_ptr<pcre2_code, CodeDeleter>(
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kAmbiguousScalar), PCRE2_ZERO_TERMINATED,
                      PCRE2_ANCHORED | PCRE2_ENDANCHORED, &error, &offset, nullptr));
  }();
  if (text.empty()) return false;
  if (!kAmbiguous) return true;  // cannot happen with a fixed pattern; quoting is always safe
  const std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
      pcre2_match_data_create_from_pattern(kAmbiguous.get(), nullptr));
  if (!match) return true;
  return pcre2_match(kAmbiguous.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0,
                     match.get(), nullptr) >= 0;
}

template <typename T>
void emitScalar(YAML::Emitter& out, const T& value) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    if (needsQuotes(value)) out << YAML::DoubleQuoted;
  }
  out << value;
}

class Writer {
 public:
  Writer() { out_.SetIndent(2); }

  template <typename T>
  Writer& kv(const char* key, const T& value) {
    out_ << YAML::Key << key << YAML::Value;
    emitScalar(out_, value);
    return *this;
  }
  Writer& dur(const char* key, Duration d) { return kv(key, formatDuration(d)); }
  Writer& size(const char* key, uint64_t bytes) { return kv(key, formatSize(bytes)); }
  template <typename T>
  Writer& list(const char* key, const std::vector<T>& values) {
    out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const T& v : values) emitScalar(out_, v);
    out_ << YAML::EndSeq;
    return *this;
  }
  Writer& map(const char* key, const std::map<std::string, std::string>& values, bool redact) {
    out_ << YAML::Key << key << YAML::Value;
    if (values.empty()) out_ << YAML::Flow;
    out_ << YAML::BeginMap;
    for (const auto& [k, v] : values) {
      out_ << YAML::Key;
      emitScalar(out_, k);
      out_ << YAML::Value;
      emitScalar(out_, redact || isSecretProperty(k) ? std::string(kRedacted) : v);
    }
    out_ << YAML::EndMap;
    return *this;
  }
  // `empty` containers are written in flow style: "key: []" rather than "key:\n  []".
  Writer& beginMap(const char* key = nullptr, bool empty = false) {
    if (key != nullptr) out_ << YAML::Key << key << YAML::Value;
    if (empty) out_ << YAML::Flow;
    out_ << YAML::BeginMap;
    return *this;
  }
  Writer& beginSeq(const char* key, bool empty = false) {
    out_ << YAML::Key << key << YAML::Value;
    if (empty) out_ << YAML::Flow;
    out_ << YAML::BeginSeq;
    return *this;
  }
  Writer& end(bool map = true) {
    out_ << (map ? YAML::EndMap : YAML::EndSeq);
    return *this;
  }
  YAML::Emitter& raw() { return out_; }

 private:
  YAML::Emitter out_;
};

void writeServer(Writer& w, const Config& c) {
  w.beginSeq("listeners");
  for (const Listener& l : c.listeners) {
    w.beginMap().kv("address", l.address).kv("http2", l.http2);
    if (l.tls) {
      w.beginMap("tls").beginSeq("certificates");
      for (const Certificate& cert : l.tls->certificates) {
        // The key's path is not a secret (its contents are): shown, so the dump passes --check.
        w.beginMap().kv("cert", cert.cert).kv("key", cert.key).end();
      }
      w.end(false)
          .kv("min_version", l.tls->minVersion)
          .dur("ticket_rotation", l.tls->ticketRotation);
      w.end();
    }
    w.end();
  }
  w.end(false);
  w.beginMap("admin").kv("address", c.admin.address).end();
  if (c.workers == 0) {
    w.kv("workers", "auto");
  } else {
    w.kv("workers", c.workers);
  }
  if (c.busyPollAuto) {
    w.kv("busy_poll", "auto");
  } else {
    w.kv("busy_poll", formatMicroseconds(c.busyPoll));
  }
  std::vector<std::string> proxies;
  for (const IpNetwork& n : c.trustedProxies) proxies.push_back(n.toString());
  w.list("trusted_proxies", proxies);
  const Limits& l = c.limits;
  w.beginMap("limits")
      .size("max_header_bytes", l.maxHeaderBytes)
      .kv("max_headers", l.maxHeaders)
      .size("max_uri_bytes", l.maxUriBytes)
      .size("max_body_bytes", l.maxBodyBytes)
      .dur("header_timeout", l.headerTimeout)
      .dur("idle_timeout", l.idleTimeout)
      .dur("body_timeout", l.bodyTimeout)
      .kv("max_connections", l.maxConnections)
      .end();
  w.beginSeq("upstreams");
  for (const Upstream& u : c.upstreams) {
    w.beginMap().kv("name", u.name).list("servers", u.servers);
    w.kv("balance", u.balance == Balance::LeastConn ? "least_conn" : "round_robin");
    w.kv("keepalive", u.keepalive);
    w.beginMap("timeouts")
        .dur("connect", u.timeouts.connect)
        .dur("response", u.timeouts.response)
        .dur("idle", u.timeouts.idle)
        .end();
    if (u.health) {
      w.beginMap("health")
          .kv("path", u.health->path)
          .dur("interval", u.health->interval)
          .dur("timeout", u.health->timeout)
          .kv("healthy_threshold", u.health->healthyThreshold)
          .kv("unhealthy_threshold", u.health->unhealthyThreshold)
          .end();
    }
    w.kv("max_fails", u.maxFails).dur("fail_timeout", u.failTimeout).kv("retries", u.retries);
    w.end();
  }
  w.end(false);
  w.beginSeq("routes");
  for (const Route& r : c.routes) {
    w.beginMap().kv("host", r.host).kv("prefix", r.prefix).kv("upstream", r.upstream).end();
  }
  w.end(false);
  w.dur("drain_timeout", c.drainTimeout);
}

const char* sourceTypeName(ConsentSourceType t) {
  switch (t) {
    case ConsentSourceType::Cookie:
      return "cookie";
    case ConsentSourceType::Tcf:
      return "tcf";
    case ConsentSourceType::OneTrust:
      return "onetrust";
    case ConsentSourceType::Cookiebot:
      return "cookiebot";
    case ConsentSourceType::CookieYes:
      return "cookieyes";
    case ConsentSourceType::CcCookie:
      return "cc_cookie";
    case ConsentSourceType::Klaro:
      return "klaro";
  }
  return "cookie";
}

void writeConsent(Writer& w, const Consent& c) {
  w.beginMap("consent").beginSeq("sources", c.sources.empty());
  for (const ConsentSource& s : c.sources) {
    w.beginMap().kv("type", sourceTypeName(s.type)).kv("cookie", s.cookie);
    if (s.type == ConsentSourceType::Cookie) {
      w.kv("format", s.format == CookieFormat::Json ? "json" : "kv")
          .kv("pair_separator", s.pairSeparator)
          .kv("kv_separator", s.kvSeparator)
          .kv("version_key", s.versionKey);
    }
    if (s.type == ConsentSourceType::Tcf) {
      w.list("analytics_purposes", s.analyticsPurposes)
          .list("marketing_purposes", s.marketingPurposes)
          .list("functional_purposes", s.functionalPurposes);
      if (s.vendorId) w.kv("vendor_id", *s.vendorId);
      w.kv("accept_li", s.acceptLi).dur("max_consent_age", s.maxConsentAge);
    } else {
      w.beginMap("map", s.map.empty());
      for (const auto& [category, names] : s.map) w.list(category.c_str(), names);
      w.end();
    }
    w.end();
  }
  w.end(false);
  if (c.minPolicyVersion) w.kv("min_policy_version", *c.minPolicyVersion);
  w.beginSeq("require", c.require.empty());
  for (const RequiredCookie& r : c.require) {
    w.beginMap().kv("cookie", r.cookie).kv("value", r.value).end();
  }
  w.end(false).kv("gpc", enumName(c.gpc, kGpc)).end();
}

void writeTelemetry(Writer& w, const Telemetry& t) {
  const char* record = t.record == RecordMode::All    ? "all"
                       : t.record == RecordMode::None ? "none"
                                                      : "documents";
  const char* visitor = t.visitorId == VisitorIdMode::DailyHash ? "daily_hash"
                        : t.visitorId == VisitorIdMode::None    ? "none"
                                                                : "cookie";
  w.beginMap("telemetry").kv("record", record);
  w.beginMap("beacon")
      .kv("path", t.beacon.path)
      .kv("script", t.beacon.script)
      .size("max_bytes", t.beacon.maxBytes)
      .kv("max_events", t.beacon.maxEvents)
      .end();
  w.kv("client_hints", t.clientHints)
      .kv("ua_regexes", t.uaRegexes)
      .kv("ua_cache_entries", t.uaCacheEntries)
      .kv("visitor_id", visitor)
      .kv("visitor_cookie", t.visitorCookie)
      .kv("bots", t.bots == BotMode::Drop ? "drop" : "flag")
      .end();
}

void writeFields(Writer& w, const FieldPolicy& f) {
  static const char* kVersion[] = {"full", "major", "drop"};
  static const char* kLanguage[] = {"full", "primary", "drop"};
  static const char* kScreen[] = {"exact", "bucket", "drop"};
  static const char* kLocation[] = {"subdivision", "country", "drop"};
  static const char* kReferrer[] = {"full", "origin", "drop"};
  static const char* kKeep[] = {"keep", "drop"};
  w.beginMap("fields");
  if (f.ip == IpRule::Truncate) {
    w.beginMap("ip").beginMap("truncate").kv("v4", f.ipV4Bits).kv("v6", f.ipV6Bits).end().end();
  } else {
    w.kv("ip", enumName(f.ip, kIpRules));
  }
  w.kv("os_version", kVersion[static_cast<int>(f.osVersion)])
      .kv("browser_version", kVersion[static_cast<int>(f.browserVersion)])
      .kv("language", kLanguage[static_cast<int>(f.language)])
      .kv("screen", kScreen[static_cast<int>(f.screen)])
      .kv("location", kLocation[static_cast<int>(f.location)])
      .kv("referrer", kReferrer[static_cast<int>(f.referrer)])
      .kv("path", kKeep[static_cast<int>(f.path)])
      .kv("visitor", kKeep[static_cast<int>(f.visitor)])
      .kv("props", kKeep[static_cast<int>(f.props)])
      .end();
}

void writeRegions(Writer& w, const Config& c) {
  w.beginMap("geo").kv("database", c.geo.database).end();
  w.beginSeq("regions", c.regions.empty());
  for (const Region& r : c.regions) {
    w.beginMap().kv("name", r.name);
    if (!r.countries.empty()) w.list("countries", r.countries);
    if (!r.subdivisions.empty()) w.list("subdivisions", r.subdivisions);
    if (!r.continents.empty()) w.list("continents", r.continents);
    writeFields(w, r.fields);
    w.list("sinks", r.sinks);
    if (r.gpc) w.kv("gpc", enumName(*r.gpc, kGpc));
    w.end();
  }
  w.end(false);
  w.kv("unknown_region", c.unknownRegion).list("unknown_sinks", c.unknownSinks);
  w.beginMap("privacy").beginMap("strip_cookies", c.privacy.stripCookies.empty());
  for (const auto& [category, patterns] : c.privacy.stripCookies) {
    w.list(category.c_str(), patterns);
  }
  w.end().beginMap("scrub");
  w.list("query_params", c.privacy.scrubQueryParams).list("detectors", c.privacy.detectors);
  w.end().end();
}

void writeSinks(Writer& w, const Config& c) {
  w.beginSeq("sinks");
  for (const Sink& s : c.sinks) {
    static const char* kTypes[] = {"file", "stdout", "http", "kafka"};
    w.beginMap().kv("name", s.name).kv("type", kTypes[static_cast<int>(s.type)]);
    w.kv("format", s.format == EventFormat::CloudEvents ? "cloudevents" : "json");
    switch (s.type) {
      case SinkType::File:
        w.kv("path", s.path);
        w.beginMap("rotate").size("max_bytes", s.rotateMaxBytes).dur("max_age", s.rotateMaxAge);
        w.end().dur("fsync", s.fsync);
        break;
      case SinkType::Stdout:
        break;
      case SinkType::Http:
        w.kv("url", s.url).dur("timeout", s.timeout).kv("gzip", s.gzip);
        w.map("headers", s.headers, true).kv("dead_letter", s.deadLetter);
        break;
      case SinkType::Kafka:
        w.kv("brokers", s.brokers).kv("topic", s.topic).kv("key", s.key);
        w.map("properties", s.properties, false);
        break;
    }
    if (s.type == SinkType::Http || s.type == SinkType::Kafka) {
      w.beginMap("batch")
          .kv("max_events", s.batchMaxEvents)
          .size("max_bytes", s.batchMaxBytes)
          .dur("max_delay", s.batchMaxDelay)
          .end();
      w.beginMap("spool").kv("dir", s.spool.dir).size("max_bytes", s.spool.maxBytes).end();
    }
    w.end();
  }
  w.end(false);
  w.beginMap("access_log")
      .kv("path", c.accessLog.path)
      .kv("format", c.accessLog.format)
      .kv("ip", enumName(c.accessLog.ip, kIpRules))
      .end();
}

}  // namespace

std::string dumpConfig(const Config& config) {
  Writer w;
  if (!config.sourcePath.empty()) {
    w.raw() << YAML::Comment("effective config of " + config.sourcePath) << YAML::Newline;
  }
  w.beginMap();
  writeServer(w, config);
  writeConsent(w, config.consent);
  writeTelemetry(w, config.telemetry);
  writeRegions(w, config);
  writeSinks(w, config);
  w.end();
  return std::string(w.raw().c_str()) + "\n";
}

}  // namespace consentry::config
