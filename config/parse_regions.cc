// geo, regions (with `include:` files), unknown_region, unknown_sinks, privacy.
#include <algorithm>
#include <filesystem>

#include "config/config_loader.h"
#include "config/load_state.h"

namespace consentry::config::detail {
namespace {

constexpr int kMaxIncludeDepth = 8;

bool isRegionName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool isUpperAlnum(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  });
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

// Reads a list of codes, upper-cased, each checked by `valid`.
void codeList(MapReader& m, const char* key, std::vector<std::string>& out,
              bool (*valid)(const std::string&), const char* expected) {
  Diagnostics& d = m.diag();
  forEachItem(d, m.get(key), m.path(key), [&](const YAML::Node& n, const std::string& p) {
    auto v = readString(d, n, p);
    if (!v) return;
    std::string code = upper(*v);
    if (!valid(code)) {
      d.error(n, p + ": '" + *v + "' is not " + expected);
      return;
    }
    out.push_back(code);
  });
}

bool validCountry(const std::string& c) {
  return c.size() == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z';
}
bool validSubdivision(const std::string& c) {
  return c.size() >= 4 && c.size() <= 6 && validCountry(c.substr(0, 2)) && c[2] == '-' &&
         isUpperAlnum(std::string_view(c).substr(3));
}
bool validContinent(const std::string& c) {
  for (const char* k : {"AF", "AN", "AS", "EU", "NA", "OC", "SA"}) {
    if (c == k) return true;
  }
  return false;
}

void parseIpRule(Diagnostics& d, const YAML::Node& n, const std::string& path, FieldPolicy& f) {
  if (n.IsScalar()) {
    if (auto v = readEnum<IpRule>(
            d, n, path,
            {{"keep", IpRule::Keep}, {"drop", IpRule::Drop}, {"truncate", IpRule::Truncate}})) {
      f.ip = *v;
      if (f.ip == IpRule::Truncate) {
        f.ipV4Bits = 24;
        f.ipV6Bits = 48;
      }
    }
    return;
  }
  MapReader m(d, n, path);
  if (!m.isMap()) return;
  if (!m.has("truncate")) {
    d.error(n, path + ": expected keep, drop, truncate or {truncate: {v4: BITS, v6: BITS}}");
  }
  MapReader t(d, m.get("truncate"), m.path("truncate"));
  f.ip = IpRule::Truncate;
  f.ipV4Bits = 24;
  f.ipV6Bits = 48;
  t.integer("v4", f.ipV4Bits, 0, 32);
  t.integer("v6", f.ipV6Bits, 0, 128);
}

void parseFields(MapReader& m, FieldPolicy& f) {
  Diagnostics& d = m.diag();
  YAML::Node ip = m.get("ip");
  if (ip.IsDefined()) parseIpRule(d, ip, m.path("ip"), f);
  const EnumTable<VersionRule> versions = {
      {"full", VersionRule::Full}, {"major", VersionRule::Major}, {"drop", VersionRule::Drop}};
  const EnumTable<KeepRule> keep = {{"keep", KeepRule::Keep}, {"drop", KeepRule::Drop}};
  m.enumeration("os_version", f.osVersion, versions);
  m.enumeration("browser_version", f.browserVersion, versions);
  m.enumeration("language", f.language,
                {{"full", LanguageRule::Full},
                 {"primary", LanguageRule::Primary},
                 {"drop", LanguageRule::Drop}});
  m.enumeration(
      "screen", f.screen,
      {{"exact", ScreenRule::Exact}, {"bucket", ScreenRule::Bucket}, {"drop", ScreenRule::Drop}});
  m.enumeration("location", f.location,
                {{"subdivision", LocationRule::Subdivision},
                 {"country", LocationRule::Country},
                 {"drop", LocationRule::Drop}});
  m.enumeration("referrer", f.referrer,
                {{"full", ReferrerRule::Full},
                 {"origin", ReferrerRule::Origin},
                 {"drop", ReferrerRule::Drop}});
  m.enumeration("path", f.path, keep);
  m.enumeration("visitor", f.visitor, keep);
  m.enumeration("props", f.props, keep);
}

void parseRegion(LoadState& s, Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  Region r;
  m.string("name", r.name);
  if (m.isMap()) {
    if (r.name.empty()) {
      d.error(item, path + ": name is required");
    } else if (!isRegionName(r.name)) {
      d.error(m.get("name"), path + ".name: invalid region name '" + r.name + "'");
    } else if (r.name == "unknown") {
      d.error(m.get("name"), path + ".name: 'unknown' is reserved for failed geo lookups");
    }
  }
  codeList(m, "countries", r.countries, validCountry, "an ISO 3166-1 alpha-2 country code");
  codeList(m, "subdivisions", r.subdivisions, validSubdivision,
           "an ISO 3166-2 subdivision code like US-CA");
  codeList(m, "continents", r.continents, validContinent,
           "a continent code (AF, AN, AS, EU, NA, OC, SA)");
  {
    MapReader f(d, m.get("fields"), m.path("fields"));
    parseFields(f, r.fields);
  }
  std::vector<SourcePos> sinkPos;
  forEachItem(d, m.get("sinks"), m.path("sinks"), [&](const YAML::Node& n, const std::string& p) {
    if (auto v = readString(d, n, p)) {
      r.sinks.push_back(*v);
      sinkPos.push_back(d.pos(n));
    }
  });
  YAML::Node gpc = m.get("gpc");
  if (gpc.IsDefined()) {
    r.gpc = readEnum<GpcMode>(d, gpc, m.path("gpc"),
                              {{"ignore", GpcMode::Ignore},
                               {"refuse_marketing", GpcMode::RefuseMarketing},
                               {"refuse_all", GpcMode::RefuseAll}});
  }
  r.isDefault = r.name == "default" ||
                (r.countries.empty() && r.subdivisions.empty() && r.continents.empty());
  s.regionPos.push_back(d.pos(m.has("name") ? m.get("name") : item));
  s.regionSinkPos.push_back(std::move(sinkPos));
  s.config.regions.push_back(std::move(r));
}

void parseRegionEntry(LoadState& s, Diagnostics& d, const YAML::Node& item,
                      const std::string& path);

// `include: FILE` (relative to the including file): a region mapping or a list of entries.
void parseInclude(LoadState& s, Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  YAML::Node target = m.get("include");
  auto name = readString(d, target, m.path("include"));
  if (!name) return;
  if (s.includeDepth >= kMaxIncludeDepth) {
    d.error(target, m.path("include") + ": includes nested too deeply (a cycle?)");
    return;
  }
  std::filesystem::path file(*name);
  // The embedded default config has no folder of its own: its includes are compiled in too.
  const std::optional<std::string_view> embedded =
      d.file() == kEmbeddedConfigName && file.is_relative()
          ? embeddedInclude(file.lexically_normal().string())
          : std::nullopt;
  if (file.is_relative()) file = std::filesystem::path(d.file()).parent_path() / file;
  const std::string fileName = file.lexically_normal().string();
  YAML::Node doc;
  try {
    doc = embedded ? YAML::Load(std::string(*embedded)) : YAML::LoadFile(fileName);
  } catch (const YAML::BadFile&) {
    d.error(target, m.path("include") + ": cannot read '" + fileName + "'");
    return;
  } catch (const YAML::Exception& e) {
    Diagnostics::add(s.errors, fileName, e.mark, "YAML syntax error: " + e.msg);
    return;
  }
  Diagnostics inner(fileName, s.errors);
  ++s.includeDepth;
  if (doc.IsSequence()) {
    forEachItem(inner, doc, "regions", [&](const YAML::Node& n, const std::string& p) {
      parseRegionEntry(s, inner, n, p);
    });
  } else if (doc.IsMap()) {
    parseRegionEntry(s, inner, doc, "region");
  } else {
    inner.error(doc, "expected a region mapping or a list of regions");
  }
  --s.includeDepth;
}

void parseRegionEntry(LoadState& s, Diagnostics& d, const YAML::Node& item,
                      const std::string& path) {
  if (item.IsMap() && item["include"].IsDefined()) {
    parseInclude(s, d, item, path);
  } else {
    parseRegion(s, d, item, path);
  }
}

void parsePrivacy(MapReader& m, Privacy& p) {
  Diagnostics& d = m.diag();
  YAML::Node strip = m.get("strip_cookies");
  if (strip.IsDefined() && !strip.IsNull()) {
    MapReader sm(d, strip, "privacy.strip_cookies");
    for (const char* category : {"analytics", "marketing", "functional"}) {
      std::vector<std::string> patterns;
      sm.stringList(category, patterns);
      if (!patterns.empty()) p.stripCookies[category] = std::move(patterns);
    }
  }
  MapReader scrub(d, m.get("scrub"), "privacy.scrub");
  scrub.stringList("query_params", p.scrubQueryParams);
  YAML::Node detectors = scrub.get("detectors");
  if (detectors.IsDefined()) {
    std::vector<std::string> names;
    forEachItem(d, detectors, "privacy.scrub.detectors",
                [&](const YAML::Node& n, const std::string& path) {
                  auto v = readEnum<std::string>(d, n, path,
                                                 {{"email", "email"},
                                                  {"phone", "phone"},
                                                  {"card", "card"},
                                                  {"iban", "iban"},
                                                  {"jwt", "jwt"},
                                                  {"ip", "ip"}});
                  if (v) names.push_back(*v);
                });
    p.detectors = std::move(names);
  }
}

}  // namespace

void parseRegions(MapReader& root, LoadState& s) {
  Diagnostics& d = root.diag();
  {
    MapReader g(d, root.get("geo"), "geo");
    g.string("database", s.config.geo.database);
    checkReadable(s, g, "database", s.config.geo.database);
  }
  forEachItem(d, root.get("regions"), "regions",
              [&](const YAML::Node& n, const std::string& p) { parseRegionEntry(s, d, n, p); });
  YAML::Node unknown = root.get("unknown_region");
  s.unknownRegionPos = s.rootPos;
  if (unknown.IsDefined()) {
    s.unknownRegionPos = d.pos(unknown);
    if (auto v = readString(d, unknown, "unknown_region")) s.config.unknownRegion = *v;
  }
  forEachItem(d, root.get("unknown_sinks"), "unknown_sinks",
              [&](const YAML::Node& n, const std::string& p) {
                if (auto v = readString(d, n, p)) {
                  s.config.unknownSinks.push_back(*v);
                  s.unknownSinkPos.push_back(d.pos(n));
                }
              });
  MapReader p(d, root.get("privacy"), "privacy");
  parsePrivacy(p, s.config.privacy);
}

}  // namespace consentry::config::detail
