#pragma once
// Region resolution (SPEC §2): maps a geo lookup result to the configured region whose rules
// apply. Regions are tried in config order, the first whose countries, subdivisions or
// continents contain the location wins; `default` matches every located client. A failed lookup
// (not found, private/loopback address, no usable database) lands in region "unknown", whose
// rules are unknown_region: the strictest merge of all regions, or a named region's rules.
// With geo lookup disabled every client is in region "default".

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "geo/geo_db.h"
#include "geo/region_index.h"

namespace consentry::geo {

inline constexpr std::string_view kUnknownRegion = "unknown";
inline constexpr std::string_view kDefaultRegion = "default";

// Everything the event path needs to know about the region a client is in.
struct RegionRules {
  std::string name;
  config::FieldPolicy fields;
  std::optional<config::GpcMode> gpc;  // overrides consent.gpc when set
};

class RegionResolver {
 public:
  // Fails when unknown_region names a region that is not configured.
  static Result<RegionResolver> build(const config::Config& config);

  // The rules for a lookup result. Found -> first matching region, or "default" when none
  // matches; NotFound / Private / Error -> "unknown"; Disabled -> "default".
  const RegionRules& resolve(const GeoResult& geo) const;

  const RegionRules& unknown() const { return unknown_; }
  // The configured default region, or an implicit one that keeps every field.
  const RegionRules& fallback() const;
  // A configured region by name (also "unknown"), or null.
  const RegionRules* find(std::string_view name) const;
  std::span<const RegionRules> regions() const { return regions_; }

 private:
  std::vector<RegionRules> regions_;  // config order
  RegionIndex index_;                 // location -> first matching index into regions_
  std::optional<size_t> defaultIndex_;
  RegionRules implicitDefault_;
  RegionRules unknown_;
};

}  // namespace consentry::geo
