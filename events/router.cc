#include "events/router.h"

namespace consentry::events {
namespace {

Result<SinkMask> maskOf(const std::vector<std::string>& names,
                        const std::vector<std::string>& sinkNames, std::string_view owner) {
  SinkMask all =
      sinkNames.size() == kMaxSinks ? ~SinkMask{0} : (SinkMask{1} << sinkNames.size()) - 1;
  if (names.empty()) return all;
  SinkMask mask = 0;
  for (const std::string& n : names) {
    size_t i = 0;
    while (i < sinkNames.size() && sinkNames[i] != n) ++i;
    if (i == sinkNames.size()) {
      return makeError(std::string(owner) + " names unknown sink \"" + n + "\"");
    }
    mask |= SinkMask{1} << i;
  }
  return mask;
}

}  // namespace

Result<Router> Router::build(const config::Config& config,
                             const std::vector<std::string>& sinkNames) {
  if (sinkNames.size() > kMaxSinks) return makeError("more than 64 sinks");
  Router r;
  SinkMask all =
      sinkNames.size() == kMaxSinks ? ~SinkMask{0} : (SinkMask{1} << sinkNames.size()) - 1;
  SinkMask unionOfRegions = 0;
  bool hasDefault = false;
  for (const config::Region& region : config.regions) {
    auto mask = maskOf(region.sinks, sinkNames, "region " + region.name);
    if (!mask) return mask.error();
    r.regions_.emplace_back(region.name, *mask);
    unionOfRegions |= *mask;
    hasDefault = hasDefault || region.name == "default";
  }
  if (!hasDefault) r.regions_.emplace_back("default", all);
  if (config.regions.empty()) unionOfRegions = all;

  if (!config.unknownSinks.empty()) {
    auto mask = maskOf(config.unknownSinks, sinkNames, "unknown_sinks");
    if (!mask) return mask.error();
    r.unknown_ = *mask;
  } else if (config.unknownRegion == "strictest" || config.unknownRegion.empty()) {
    r.unknown_ = unionOfRegions;
  } else {
    r.unknown_ = unionOfRegions;  // a borrowed region that does not exist: stay strictest
    for (const auto& [name, mask] : r.regions_) {
      if (name == config.unknownRegion) r.unknown_ = mask;
    }
  }
  // A configured region literally named "unknown" is honoured as written.
  bool unknownConfigured = false;
  for (const auto& entry : r.regions_) unknownConfigured |= entry.first == "unknown";
  if (!unknownConfigured) r.regions_.emplace_back("unknown", r.unknown_);
  return r;
}

SinkMask Router::route(std::string_view region) const {
  for (const auto& [name, mask] : regions_) {
    if (name == region) return mask;
  }
  return unknown_;
}

}  // namespace consentry::events
