#include "filters/chain_shared.h"

#include <mutex>

#include "filters/beacon/tracker_script.h"

namespace consentry::filters {
namespace {

// Compiling uap-core's ~1,000 regexes takes a noticeable fraction of a second: a reload that
// does not touch the file reuses the compiled set.
Result<std::shared_ptr<const telemetry::UaRegexes>> loadUaRegexes(const std::string& path) {
  static std::mutex mutex;
  static std::string cachedPath;
  static geo::FileStamp cachedStamp;
  static std::shared_ptr<const telemetry::UaRegexes> cached;
  std::lock_guard lock(mutex);
  const auto stamp = geo::statFile(path);
  if (cached && cachedPath == path && stamp == cachedStamp) return cached;
  auto loaded = telemetry::UaRegexes::loadFile(path);
  if (!loaded) return loaded.error();
  cached = *loaded;
  cachedPath = path;
  cachedStamp = stamp;
  return cached;
}

}  // namespace

Result<std::shared_ptr<const ChainShared>> buildChainShared(const config::ConfigPtr& config,
                                                            std::shared_ptr<geo::GeoDatabase> geo,
                                                            events::EventPipeline* pipeline) {
  auto shared = std::make_shared<ChainShared>();
  shared->config = config;
  shared->pipeline = pipeline;

  shared->consent = std::make_unique<consent::ConsentEvaluator>(config->consent);

  auto regexes = loadUaRegexes(config->telemetry.uaRegexes);
  if (!regexes) return regexes.error();
  shared->uaRegexes = *regexes;

  if (!config->geo.database.empty()) {
    shared->geo = geo ? std::move(geo) : std::make_shared<geo::GeoDatabase>(config->geo.database);
  }
  auto regions = geo::RegionResolver::build(*config);
  if (!regions) return regions.error();
  shared->regions = std::make_unique<geo::RegionResolver>(std::move(*regions));

  shared->scrubber = std::make_unique<scrub::Scrubber>(config->privacy);
  shared->cookies = std::make_unique<CookieStripper>(config->privacy.stripCookies);
  shared->trackerScript = trackerScript(config->telemetry.beacon.path);
  return std::shared_ptr<const ChainShared>(std::move(shared));
}

}  // namespace consentry::filters
