#pragma once
// One opened MaxMind DB (GeoIP2/GeoLite2 City or Country layout, memory-mapped): answers "which
// country, first subdivision and continent is this address in". Immutable once open, so one
// instance is shared by every worker thread. Knows nothing of HTTP or regions.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/fixed_text.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "geo/search_tree.h"

struct MMDB_s;
struct MMDB_entry_s;

namespace consentry::geo {

enum class GeoStatus : uint8_t {
  Found,     // the database has an entry with at least a country or a continent
  NotFound,  // no entry (a gap in the database) or an entry without location data
  Private,   // private, loopback, link-local or unspecified address: never looked up
  Error,     // no usable database, or the lookup hit corrupt data
  Disabled,  // geo lookup is not configured
};

std::string_view geoStatusName(GeoStatus status);  // "found" | "not_found" | ...

// Codes are validated before they leave the database: a malformed code is reported as absent.
struct Location {
  FixedText<2> country;      // ISO 3166-1 alpha-2, "DE"; empty when unknown
  FixedText<6> subdivision;  // ISO 3166-2 "CC-SUB" of the first subdivision, "US-CA"; or empty
  FixedText<2> continent;    // "EU", "NA", ...; empty when unknown
};

struct GeoResult {
  GeoStatus status = GeoStatus::Disabled;
  Location location;
};

class GeoDb {
 public:
  // Opens `path` with MMDB_MODE_MMAP. The error names the file and what is wrong with it.
  static Result<std::shared_ptr<const GeoDb>> open(const std::string& path);

  // Looks up the full address (IPv4-mapped IPv6 is looked up as IPv4). Never throws. The tree
  // walk is our own (search_tree.h); libmaxminddb decodes a record the first time a thread
  // meets it.
  GeoResult lookup(const IpAddress& address) const;

  const std::string& path() const { return path_; }
  std::string_view databaseType() const;
  int ipVersion() const;
  uint64_t buildEpoch() const;
  // Unique across every GeoDb this process opens (never 0): tells a reopened file from the old.
  uint64_t generation() const { return generation_; }
  const MMDB_s* handle() const { return db_.get(); }
  // Memory the search index takes beyond the mapped file (folded chains; see search_tree.h).
  size_t foldedBytes() const { return tree_.foldedBytes(); }

  struct Closer {
    void operator()(MMDB_s* db) const;
  };
  GeoDb(std::string path, std::unique_ptr<MMDB_s, Closer> db);

 private:
  GeoResult decode(uint32_t dataOffset) const;

  std::string path_;
  std::unique_ptr<MMDB_s, Closer> db_;
  SearchTree tree_;
  uint64_t generation_;  // tells this instance's cached records from a reloaded one's
};

// For `--check`: opens the file, insists on a database type that carries country data and
// decodes a few sample records so a corrupt data section is reported up front.
Result<void> validateGeoDatabase(const std::string& path);

}  // namespace consentry::geo
