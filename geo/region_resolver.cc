#include "geo/region_resolver.h"

#include <algorithm>
#include <utility>

#include "geo/strictest.h"

namespace consentry::geo {
namespace {

std::vector<std::string> upperCodes(const std::vector<std::string>& codes) {
  std::vector<std::string> out;
  out.reserve(codes.size());
  for (std::string code : codes) {
    for (char& c : code) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    out.push_back(std::move(code));
  }
  return out;
}

bool contains(const std::vector<std::string>& codes, std::string_view code) {
  return !code.empty() && std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool isDefaultRegion(const config::Region& region) {
  return region.isDefault || region.name == kDefaultRegion ||
         (region.countries.empty() && region.subdivisions.empty() && region.continents.empty());
}

}  // namespace

bool RegionResolver::Matcher::matches(const Location& location) const {
  return isDefault || contains(countries, location.country) ||
         contains(subdivisions, location.subdivision) || contains(continents, location.continent);
}

Result<RegionResolver> RegionResolver::build(const config::Config& config) {
  RegionResolver resolver;
  resolver.regions_.reserve(config.regions.size());
  resolver.matchers_.reserve(config.regions.size());
  for (const config::Region& region : config.regions) {
    Matcher m;
    m.countries = upperCodes(region.countries);
    m.subdivisions = upperCodes(region.subdivisions);
    m.continents = upperCodes(region.continents);
    m.isDefault = isDefaultRegion(region);
    if (m.isDefault && region.name == kDefaultRegion && !resolver.defaultIndex_) {
      resolver.defaultIndex_ = resolver.regions_.size();
    }
    resolver.matchers_.push_back(std::move(m));
    resolver.regions_.push_back(RegionRules{region.name, region.fields, region.gpc});
  }
  if (!resolver.defaultIndex_) {
    // A catch-all region under another name still is "the rest".
    for (size_t i = 0; i < resolver.matchers_.size(); ++i) {
      if (resolver.matchers_[i].isDefault) {
        resolver.defaultIndex_ = i;
        break;
      }
    }
  }
  resolver.implicitDefault_.name = std::string(kDefaultRegion);

  RegionRules& unknown = resolver.unknown_;
  unknown.name = std::string(kUnknownRegion);
  if (config.unknownRegion.empty() || config.unknownRegion == "strictest") {
    std::vector<config::FieldPolicy> policies;
    policies.reserve(resolver.regions_.size());
    std::optional<config::GpcMode> gpc;
    for (const RegionRules& r : resolver.regions_) {
      policies.push_back(r.fields);
      if (r.gpc) gpc = strictestGpc(gpc.value_or(config.consent.gpc), *r.gpc);
    }
    unknown.fields = strictestFieldPolicy(policies);
    unknown.gpc = gpc;
  } else {
    const RegionRules* borrowed = nullptr;
    for (const RegionRules& r : resolver.regions_) {
      if (r.name == config.unknownRegion) borrowed = &r;
      if (borrowed) break;
    }
    if (!borrowed) {
      return makeError("unknown_region: no region named '" + config.unknownRegion +
                       "' (use 'strictest' or the name of a configured region)");
    }
    unknown.fields = borrowed->fields;
    unknown.gpc = borrowed->gpc;
  }
  return resolver;
}

const RegionRules& RegionResolver::fallback() const {
  return defaultIndex_ ? regions_[*defaultIndex_] : implicitDefault_;
}

const RegionRules& RegionResolver::resolve(const GeoResult& geo) const {
  switch (geo.status) {
    case GeoStatus::Disabled:
      return fallback();
    case GeoStatus::NotFound:
    case GeoStatus::Private:
    case GeoStatus::Error:
      return unknown_;
    case GeoStatus::Found:
      break;
  }
  for (size_t i = 0; i < matchers_.size(); ++i) {
    if (matchers_[i].matches(geo.location)) return regions_[i];
  }
  return implicitDefault_;
}

const RegionRules* RegionResolver::find(std::string_view name) const {
  if (name == kUnknownRegion) return &unknown_;
  for (const RegionRules& r : regions_) {
    if (r.name == name) return &r;
  }
  if (name == kDefaultRegion) return &fallback();
  return nullptr;
}

}  // namespace consentry::geo
