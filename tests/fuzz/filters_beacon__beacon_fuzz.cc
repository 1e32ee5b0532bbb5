// Beacon bodies come straight from the internet: parsing must never crash, and an accepted body
// must respect every limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "filters/beacon/beacon_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  consentry::filters::BeaconLimits limits;
  auto r = consentry::filters::parseBeacon(
      std::string_view(reinterpret_cast<const char*>(data), size), limits);
  if (r.status == 200) {
    if (r.events.empty() || r.events.size() > limits.maxEvents) __builtin_trap();
    for (const auto& e : r.events) {
      if (e.name.empty() || e.name.size() > limits.maxNameChars) __builtin_trap();
      if (e.props.size() > limits.maxProps) __builtin_trap();
    }
  } else if (!r.events.empty() || r.error.empty()) {
    __builtin_trap();
  }
  return 0;
}
