#pragma once
// Which configured region a location falls in, answered with table lookups. Regions are tried in
// config order and the first whose countries, subdivisions or continents contain the location
// wins (SPEC §2); a shipped config lists dozens of codes (the GDPR area alone has 32 countries),
// and comparing them one by one per event cost more than the geo lookup itself. Instead each
// code remembers the first region that lists it, and a lookup takes the smallest of three
// answers and the first catch-all region.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geo/geo_db.h"

namespace consentry::geo {

class RegionIndex {
 public:
  // Regions in config order (indexes ascending). Codes are upper case. A code no database
  // answer can carry (a country or continent that is not two letters A-Z, a subdivision longer
  // than "CC-XYZ") can never match and is left out.
  void add(size_t region, const std::vector<std::string>& countries,
           const std::vector<std::string>& subdivisions, const std::vector<std::string>& continents,
           bool matchesEverything);

  // The first region that matches `location`, if any.
  std::optional<size_t> firstMatch(const Location& location) const;

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  static constexpr size_t kLetterPairs = size_t{26} * 26;

  std::array<uint32_t, kLetterPairs> byCountry_ = filled();
  std::array<uint32_t, kLetterPairs> byContinent_ = filled();
  std::vector<std::pair<uint64_t, uint32_t>> bySubdivision_;  // sorted by packed code
  uint32_t firstCatchAll_ = kNone;

  static constexpr std::array<uint32_t, kLetterPairs> filled() {
    std::array<uint32_t, kLetterPairs> a{};
    a.fill(kNone);
    return a;
  }
};

}  // namespace consentry::geo
