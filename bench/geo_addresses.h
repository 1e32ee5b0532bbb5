#pragma once
// Client addresses for benchmarks with a geo database: distinct random addresses, most of them
// inside the database's networks, so that lookups walk the tree to many different places as a
// proxy's clients do (a handful of repeated addresses keeps the same walk cached).

#include <maxminddb.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "base/ip_address.h"
#include "geo/geo_db.h"

namespace consentry::bench {

// A random address inside a random network of the IPv6 tree under 2a00::/8 (where the
// generator puts its /48s): walk down from the root taking a random non-empty branch at each
// node, so hits spread over the database's networks instead of repeating a few.
inline std::optional<IpAddress> randomV6Hit(const MMDB_s& db, std::mt19937_64& rng) {
  std::array<uint8_t, 16> b{};
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  b[0] = 0x2a;
  uint32_t node = 0;
  for (int depth = 0; depth < 128; ++depth) {
    MMDB_search_node_s n;
    if (MMDB_read_node(&db, node, &n) != MMDB_SUCCESS) return std::nullopt;
    int bit = (b[depth / 8] >> (7 - depth % 8)) & 1;
    if (depth >= 8) {
      const bool leftEmpty = n.left_record_type == MMDB_RECORD_TYPE_EMPTY;
      const bool rightEmpty = n.right_record_type == MMDB_RECORD_TYPE_EMPTY;
      if (leftEmpty && rightEmpty) return std::nullopt;
      bit = leftEmpty ? 1 : rightEmpty ? 0 : bit;
      const uint8_t mask = static_cast<uint8_t>(0x80 >> (depth % 8));
      b[depth / 8] = static_cast<uint8_t>(bit ? (b[depth / 8] | mask) : (b[depth / 8] & ~mask));
    }
    const uint8_t type = bit ? n.right_record_type : n.left_record_type;
    if (type == MMDB_RECORD_TYPE_DATA) return IpAddress::v6(b);
    if (type != MMDB_RECORD_TYPE_SEARCH_NODE) return std::nullopt;
    node = static_cast<uint32_t>(bit ? n.right_record : n.left_record);
  }
  return std::nullopt;
}

// A mix like real traffic: three quarters of the addresses are in the database, the rest in
// gaps, all distinct random addresses (checked by a lookup, so each lands where it should).
// IPv4: random public addresses. IPv6: hits from randomV6Hit, misses random under 2a00::/8.
inline std::vector<IpAddress> addresses(const geo::GeoDb& db, size_t n, bool v6) {
  std::mt19937_64 rng(99);
  std::vector<IpAddress> hits, misses;
  for (size_t tries = 0; tries < 50'000'000 && (hits.size() < n * 3 / 4 || misses.size() < n / 4);
       ++tries) {
    IpAddress a;
    if (v6) {
      std::optional<IpAddress> hit;
      if (hits.size() < n * 3 / 4) hit = randomV6Hit(*db.handle(), rng);
      if (hit) {
        a = *hit;
      } else {
        std::array<uint8_t, 16> b{};
        for (auto& x : b) x = static_cast<uint8_t>(rng());
        b[0] = 0x2a;
        a = IpAddress::v6(b);
      }
    } else {
      a = IpAddress::v4(static_cast<uint32_t>(((11 + rng() % 180) << 24) | (rng() & 0xffffff)));
    }
    const bool found = db.lookup(a).status == geo::GeoStatus::Found;
    auto& bucket = found ? hits : misses;
    if (bucket.size() < (found ? n * 3 / 4 : n - n * 3 / 4)) bucket.push_back(a);
  }
  std::vector<IpAddress> out = hits;
  out.insert(out.end(), misses.begin(), misses.end());
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

}  // namespace consentry::bench
