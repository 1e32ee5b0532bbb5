#include "geo/region_resolver.h"

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

bool isDefaultRegion(const config::Region& region) {
  return region.isDefault || region.name == kDefaultRegion ||
         (region.countries.empty() && region.subdivisions.empty() && region.continents.empty());
}

}  // namespace

Result<RegionResolver> RegionResolver::build(const config::Config& config) {
  RegionResolver resolver;
  resolver.regions_.reserve(config.regions.size());
  std::optional<size_t> firstCatchAll;
  for (const config::Region& region : config.regions) {
    const size_t index = resolver.regions_.size();
    const bool catchAll = isDefaultRegion(region);
    resolver.index_.add(index, upperCodes(region.countries), upperCodes(region.subdivisions),
                        upperCodes(region.continents), catchAll);
    if (catchAll && region.name == kDefaultRegion && !resolver.defaultIndex_) {
      resolver.defaultIndex_ = index;
    }
    if (catchAll && !firstCatchAll) firstCatchAll = index;
    resolver.regions_.push_back(RegionRules{region.name, region.fields, region.gpc});
  }
  // A catch-all region under another name still is "the rest".
  if (!resolver.defaultIndex_) resolver.defaultIndex_ = firstCatchAll;
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
  const std::optional<size_t> match = index_.firstMatch(geo.location);
  return match ? regions_[*match] : implicitDefault_;
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
