#pragma once
// The region step of the event path: find the client's region (geo lookup on the full address,
// in memory only) and reduce the event to what that region permits. Which sinks a region's events
// go to (SPEC §6) is decided in one place only: events/router.h.

#include <string_view>

#include "events/event.h"
#include "geo/geo_database.h"
#include "geo/region_resolver.h"

namespace consentry::filters::policy {

struct RegionDecision {
  const geo::RegionRules* rules = nullptr;  // never null once decided
  geo::GeoResult geo;
};

// `database` null means geo lookup is off (no geo.database): every client is in "default".
RegionDecision decideRegion(const geo::RegionResolver& resolver, const geo::GeoDatabase* database,
                            const IpAddress& client);

// Stamps region and location on the event, then applies the region's field rules.
void applyRegion(const geo::RegionRules& rules, const geo::GeoResult& geo, events::Event& event);
inline void applyRegion(const RegionDecision& decision, events::Event& event) {
  applyRegion(*decision.rules, decision.geo, event);
}

}  // namespace consentry::filters::policy
