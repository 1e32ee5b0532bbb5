#include "filters/policy/region_policy.h"

#include <algorithm>

#include "filters/policy/field_policy.h"

namespace consentry::filters::policy {

RegionDecision decideRegion(const geo::RegionResolver& resolver, const geo::GeoDatabase* database,
                            const IpAddress& client) {
  RegionDecision d;
  if (database != nullptr) d.geo = database->lookup(client);
  d.rules = &resolver.resolve(d.geo);
  return d;
}

void applyRegion(const geo::RegionRules& rules, const geo::GeoResult& geo, events::Event& event) {
  event.region = rules.name;
  const geo::Location& loc = geo.location;
  if (geo.status == geo::GeoStatus::Found && !loc.country.empty()) {
    event.country = loc.country;
  } else {
    event.country.reset();
  }
  if (geo.status == geo::GeoStatus::Found && !loc.subdivision.empty()) {
    event.subdivision = loc.subdivision;
  } else {
    event.subdivision.reset();
  }
  applyFieldPolicy(rules.fields, event);
}

}  // namespace consentry::filters::policy
