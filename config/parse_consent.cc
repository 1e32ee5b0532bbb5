// consent (SPEC §3) and telemetry (SPEC §4).
#include <algorithm>

#include "config/load_state.h"

namespace consentry::config::detail {
namespace {

using Type = ConsentSourceType;

const EnumTable<Type> kTypes = {{"cookie", Type::Cookie},       {"tcf", Type::Tcf},
                                {"onetrust", Type::OneTrust},   {"cookiebot", Type::Cookiebot},
                                {"cookieyes", Type::CookieYes}, {"cc_cookie", Type::CcCookie},
                                {"klaro", Type::Klaro}};

using CategoryMap = std::map<std::string, std::vector<std::string>>;

// The cookie each CMP writes and how its own names map to our categories; `map` replaces the
// whole default map, so a category can be left out on purpose.
struct SourceDefaults {
  const char* cookie;
  CategoryMap map;
};

SourceDefaults defaultsFor(Type type) {
  switch (type) {
    case Type::Cookie:
      return {"",
              {{"analytics", {"analytics"}},
               {"marketing", {"marketing"}},
               {"functional", {"functional"}}}};
    case Type::Tcf:
      return {"euconsent-v2", {}};
    case Type::OneTrust:
      return {"OptanonConsent",
              {{"analytics", {"C0002"}}, {"marketing", {"C0004"}}, {"functional", {"C0003"}}}};
    case Type::Cookiebot:
      return {"CookieConsent",
              {{"analytics", {"statistics"}},
               {"marketing", {"marketing"}},
               {"functional", {"preferences"}}}};
    case Type::CookieYes:
      return {"cookieyes-consent",
              {{"analytics", {"analytics"}},
               {"marketing", {"advertisement"}},
               {"functional", {"functional"}}}};
    case Type::CcCookie:
      return {"cc_cookie",
              {{"analytics", {"analytics"}},
               {"marketing", {"marketing"}},
               {"functional", {"functional"}}}};
    case Type::Klaro:
      return {"klaro",
              {{"analytics", {"analytics"}},
               {"marketing", {"marketing"}},
               {"functional", {"functional"}}}};
  }
  return {"", {}};
}

bool isCookieName(const std::string& name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0x20 && c < 0x7f &&
           std::string_view("()<>@,;:\\\"/[]?={}").find(c) == std::string_view::npos;
  });
}

void parseCategoryMap(Diagnostics& d, const YAML::Node& node, const std::string& path,
                      CategoryMap& out) {
  if (!node.IsMap()) {
    d.error(node, path + ": expected a mapping of category to name(s)");
    return;
  }
  CategoryMap result;
  for (const auto& kv : node) {
    const std::string category = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (category != "analytics" && category != "marketing" && category != "functional") {
      d.error(kv.first, std::string(path)
                            .append(": unknown category '")
                            .append(category)
                            .append("' (analytics, marketing, functional)"));
      continue;
    }
    if (result.count(category) != 0) {
      d.error(kv.first,
              std::string("duplicate key '").append(path).append(".").append(category).append("'"));
      continue;
    }
    std::vector<std::string>& names = result[category];
    const std::string p = std::string(path).append(".").append(category);
    if (kv.second.IsSequence()) {
      forEachItem(d, kv.second, p, [&](const YAML::Node& n, const std::string& ip) {
        if (auto v = readString(d, n, ip)) names.push_back(*v);
      });
    } else if (auto v = readString(d, kv.second, p)) {
      names.push_back(*v);
    }
  }
  out = std::move(result);
}

void purposeList(MapReader& m, const char* key, std::vector<int>& out) {
  YAML::Node n = m.get(key);
  if (!n.IsDefined()) return;
  std::vector<int> values;
  forEachItem(m.diag(), n, m.path(key), [&](const YAML::Node& item, const std::string& p) {
    if (auto v = readInt(m.diag(), item, p, 1, 11)) values.push_back(static_cast<int>(*v));
  });
  out = std::move(values);
}

ConsentSource parseSource(Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  ConsentSource src;
  YAML::Node typeNode = m.get("type");
  bool typeKnown = false;
  if (!typeNode.IsDefined()) {
    if (m.isMap()) d.error(item, path + ": type is required");
  } else if (auto t = readEnum(d, typeNode, m.path("type"), kTypes)) {
    src.type = *t;
    typeKnown = true;
  }
  SourceDefaults defaults = defaultsFor(src.type);
  src.cookie = defaults.cookie;
  src.map = defaults.map;

  // Keys that only one type understands: accepted (not unknown) but wrong elsewhere.
  auto onlyFor = [&](const char* key, Type type) {
    if (typeKnown && m.has(key) && src.type != type) {
      d.error(m.keyNode(key), m.path(key) + ": only valid for type " + enumName(type, kTypes));
    }
  };
  for (const char* key : {"format", "pair_separator", "kv_separator", "version_key"}) {
    onlyFor(key, Type::Cookie);
  }
  for (const char* key : {"analytics_purposes", "marketing_purposes", "functional_purposes",
                          "vendor_id", "accept_li", "max_consent_age"}) {
    onlyFor(key, Type::Tcf);
  }
  if (typeKnown && m.has("map") && src.type == Type::Tcf) {
    d.error(m.keyNode("map"), m.path("map") + ": not valid for type tcf (use *_purposes)");
  }

  if (m.has("name") && m.has("cookie")) {
    d.error(m.keyNode("cookie"), path + ": give the cookie name as name or cookie, not both");
  }
  m.string("name", src.cookie);
  m.string("cookie", src.cookie);
  if (m.isMap() && typeKnown && !isCookieName(src.cookie)) {
    YAML::Node at = m.has("cookie") ? m.get("cookie") : m.has("name") ? m.get("name") : item;
    d.error(at, src.cookie.empty() ? path + ": name (the cookie name) is required"
                                   : path + ": invalid cookie name '" + src.cookie + "'");
  }
  m.enumeration("format", src.format, {{"kv", CookieFormat::Kv}, {"json", CookieFormat::Json}});
  m.string("pair_separator", src.pairSeparator);
  m.string("kv_separator", src.kvSeparator);
  m.string("version_key", src.versionKey);
  if (src.pairSeparator.empty() || src.kvSeparator.empty() ||
      src.pairSeparator == src.kvSeparator) {
    d.error(item, path + ": pair_separator and kv_separator must be non-empty and different");
  }
  YAML::Node map = m.get("map");
  if (map.IsDefined() && src.type != Type::Tcf) parseCategoryMap(d, map, m.path("map"), src.map);
  purposeList(m, "analytics_purposes", src.analyticsPurposes);
  purposeList(m, "marketing_purposes", src.marketingPurposes);
  purposeList(m, "functional_purposes", src.functionalPurposes);
  YAML::Node vendor = m.get("vendor_id");
  if (vendor.IsDefined()) {
    if (auto v = readInt(d, vendor, m.path("vendor_id"), 1, 65535)) {
      src.vendorId = static_cast<int>(*v);
    }
  }
  m.boolean("accept_li", src.acceptLi);
  m.duration("max_consent_age", src.maxConsentAge);
  return src;
}

void parseConsentSection(MapReader& m, Consent& c) {
  Diagnostics& d = m.diag();
  forEachItem(d, m.get("sources"), "consent.sources",
              [&](const YAML::Node& n, const std::string& p) {
                c.sources.push_back(parseSource(d, n, p));
              });
  YAML::Node minVersion = m.get("min_policy_version");
  if (minVersion.IsDefined()) {
    if (auto v = readInt(d, minVersion, "consent.min_policy_version", 0, 2'000'000'000)) {
      c.minPolicyVersion = static_cast<int>(*v);
    }
  }
  forEachItem(d, m.get("require"), "consent.require",
              [&](const YAML::Node& n, const std::string& p) {
                MapReader r(d, n, p);
                RequiredCookie rc;
                r.string("cookie", rc.cookie);
                r.string("value", rc.value);
                if (r.isMap() && !isCookieName(rc.cookie)) {
                  d.error(r.has("cookie") ? r.get("cookie") : n,
                          p + ": cookie (a cookie name) is required");
                }
                c.require.push_back(std::move(rc));
              });
  m.enumeration("gpc", c.gpc,
                {{"ignore", GpcMode::Ignore},
                 {"refuse_marketing", GpcMode::RefuseMarketing},
                 {"refuse_all", GpcMode::RefuseAll}});
}

void parseTelemetry(LoadState& s, MapReader& m, Telemetry& t) {
  Diagnostics& d = m.diag();
  m.enumeration(
      "record", t.record,
      {{"documents", RecordMode::Documents}, {"all", RecordMode::All}, {"none", RecordMode::None}});
  {
    MapReader b(d, m.get("beacon"), "telemetry.beacon");
    b.string("path", t.beacon.path);
    b.string("script", t.beacon.script);
    b.size("max_bytes", t.beacon.maxBytes);
    b.integer("max_events", t.beacon.maxEvents, 1, 10'000);
    for (const char* key : {"path", "script"}) {
      const std::string& v = std::string_view(key) == "path" ? t.beacon.path : t.beacon.script;
      if (v.empty() || v[0] != '/') {
        d.error(b.has(key) ? b.get(key) : b.node(), b.path(key) + ": must start with '/'");
      }
    }
    if (t.beacon.path == t.beacon.script) {
      d.error(b.has("script") ? b.get("script") : b.node(),
              "telemetry.beacon.script: must differ from telemetry.beacon.path");
    }
    if (t.beacon.maxBytes == 0)
      d.error(b.get("max_bytes"), "telemetry.beacon.max_bytes: must be > 0");
  }
  m.boolean("client_hints", t.clientHints);
  m.string("ua_regexes", t.uaRegexes);
  checkReadable(s, m, "ua_regexes", t.uaRegexes);
  m.integer("ua_cache_entries", t.uaCacheEntries, 0, 10'000'000);
  m.enumeration("visitor_id", t.visitorId,
                {{"cookie", VisitorIdMode::Cookie},
                 {"daily_hash", VisitorIdMode::DailyHash},
                 {"none", VisitorIdMode::None}});
  m.string("visitor_cookie", t.visitorCookie);
  if (!isCookieName(t.visitorCookie)) {
    d.error(m.has("visitor_cookie") ? m.get("visitor_cookie") : m.node(),
            "telemetry.visitor_cookie: invalid cookie name '" + t.visitorCookie + "'");
  }
  m.enumeration("bots", t.bots, {{"flag", BotMode::Flag}, {"drop", BotMode::Drop}});
  if (t.uaRegexes.empty()) d.error(m.get("ua_regexes"), "telemetry.ua_regexes: must not be empty");
}

}  // namespace

void parseConsent(MapReader& root, LoadState& s) {
  {
    MapReader c(root.diag(), root.get("consent"), "consent");
    parseConsentSection(c, s.config.consent);
  }
  MapReader t(root.diag(), root.get("telemetry"), "telemetry");
  parseTelemetry(s, t, s.config.telemetry);
}

}  // namespace consentry::config::detail
