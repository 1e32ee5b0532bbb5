#include "geo/region_index.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace consentry::geo {
namespace {

constexpr size_t kNoSlot = SIZE_MAX;

// "DE" -> 0..675; kNoSlot for anything else.
size_t letterPairSlot(std::string_view code) {
  if (code.size() != 2) return kNoSlot;
  const auto a = static_cast<unsigned>(code[0] - 'A');
  const auto b = static_cast<unsigned>(code[1] - 'A');
  if (a >= 26 || b >= 26) return kNoSlot;
  return a * 26 + b;
}

// A subdivision code as one integer: its bytes, zero-padded (codes hold no NUL, so lengths
// differ too).
uint64_t packSubdivision(std::string_view code) {
  uint64_t packed = 0;
  std::memcpy(&packed, code.data(), code.size());
  return packed;
}

// Records `region` for `slot` unless an earlier region already listed the code.
void claim(uint32_t& slot, uint32_t region) {
  slot = std::min(slot, region);
}

}  // namespace

void RegionIndex::add(size_t region, const std::vector<std::string>& countries,
                      const std::vector<std::string>& subdivisions,
                      const std::vector<std::string>& continents, bool matchesEverything) {
  const auto index = static_cast<uint32_t>(region);
  for (const std::string& code : countries) {
    if (const size_t slot = letterPairSlot(code); slot != kNoSlot) claim(byCountry_[slot], index);
  }
  for (const std::string& code : continents) {
    if (const size_t slot = letterPairSlot(code); slot != kNoSlot) claim(byContinent_[slot], index);
  }
  for (const std::string& code : subdivisions) {
    if (code.empty() || code.size() > decltype(Location::subdivision)::capacity()) continue;
    const uint64_t packed = packSubdivision(code);
    auto at = std::lower_bound(bySubdivision_.begin(), bySubdivision_.end(),
                               std::pair<uint64_t, uint32_t>{packed, 0});
    if (at != bySubdivision_.end() && at->first == packed) {
      claim(at->second, index);
    } else {
      bySubdivision_.insert(at, {packed, index});
    }
  }
  if (matchesEverything) claim(firstCatchAll_, index);
}

std::optional<size_t> RegionIndex::firstMatch(const Location& location) const {
  uint32_t best = firstCatchAll_;
  if (const size_t slot = letterPairSlot(location.country); slot != kNoSlot) {
    best = std::min(best, byCountry_[slot]);
  }
  if (const size_t slot = letterPairSlot(location.continent); slot != kNoSlot) {
    best = std::min(best, byContinent_[slot]);
  }
  if (!location.subdivision.empty() && !bySubdivision_.empty()) {
    const uint64_t packed = packSubdivision(location.subdivision);
    auto at = std::lower_bound(bySubdivision_.begin(), bySubdivision_.end(),
                               std::pair<uint64_t, uint32_t>{packed, 0});
    if (at != bySubdivision_.end() && at->first == packed) best = std::min(best, at->second);
  }
  if (best == kNone) return std::nullopt;
  return best;
}

}  // namespace consentry::geo
