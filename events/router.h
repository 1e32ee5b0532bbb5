#pragma once
// Region -> sinks routing (SPEC §6 "Routing", §2 unknown_region / unknown_sinks). The region
// policy only sets Event::region; the router owns the table, so residency is decided in one place:
//  - a configured region with `sinks` goes to exactly those sinks, one without goes to all;
//  - "default", when not configured, goes to all sinks;
//  - "unknown" goes to `unknown_sinks` when given; else, with unknown_region: strictest, to the
//    union of the regions' sink sets; else to the sinks of the region it borrows;
//  - any other region name (e.g. one removed by a reload) is routed like "unknown".

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace consentry::events {

// Bit i set: the event goes to sink i (the config's sink order). At most 64 sinks.
using SinkMask = uint64_t;
inline constexpr size_t kMaxSinks = 64;

class Router {
 public:
  // `sinkNames` are the sinks in pipeline order. Fails on a region naming an unknown sink or on
  // more than kMaxSinks sinks.
  static Result<Router> build(const config::Config& config,
                              const std::vector<std::string>& sinkNames);

  SinkMask route(std::string_view region) const;

 private:
  std::vector<std::pair<std::string, SinkMask>> regions_;
  SinkMask unknown_ = 0;
};

}  // namespace consentry::events
