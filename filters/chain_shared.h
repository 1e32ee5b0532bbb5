#pragma once
// Everything the telemetry chain needs that is built once per config snapshot and shared,
// read-only, by every worker: the consent evaluator, compiled UA regexes, region rules, scrubber,
// cookie rules, the t.js text. Building it is where a config's files are opened, so a reload that
// cannot build it is refused and the old snapshot keeps serving.

#include <memory>
#include <string>

#include "base/result.h"
#include "config/config.h"
#include "filters/consent/evaluator.h"
#include "filters/cookies/cookie_stripper.h"
#include "filters/scrub/scrubber.h"
#include "filters/telemetry/ua_regexes.h"
#include "geo/geo_database.h"
#include "geo/region_resolver.h"

namespace consentry::events {
class EventPipeline;
}

namespace consentry::filters {

struct ChainShared {
  config::ConfigPtr config;
  std::unique_ptr<consent::ConsentEvaluator> consent;
  std::shared_ptr<const telemetry::UaRegexes> uaRegexes;
  std::shared_ptr<geo::GeoDatabase> geo;  // null: geo lookup off
  std::unique_ptr<geo::RegionResolver> regions;
  std::unique_ptr<scrub::Scrubber> scrubber;
  std::unique_ptr<CookieStripper> cookies;
  std::string trackerScript;
  events::EventPipeline* pipeline = nullptr;  // null: events are built but not delivered (explain)
};

// Builds the shared part for `config`. `geo` may be passed in to keep one hot-reloading database
// handle across config reloads (null: open config.geo.database if set).
Result<std::shared_ptr<const ChainShared>> buildChainShared(const config::ConfigPtr& config,
                                                            std::shared_ptr<geo::GeoDatabase> geo,
                                                            events::EventPipeline* pipeline);

}  // namespace consentry::filters
