#include "geo/geo_db.h"

#include <maxminddb.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace consentry::geo {
namespace {

bool isAlpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool isAlnum(char c) {
  return isAlpha(c) || (c >= '0' && c <= '9');
}

char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// A code read from the database, or empty when the path is absent or the value is not a
// string. Corrupt data sets `corrupt`.
std::string_view readString(MMDB_entry_s& entry, const char* const* path, bool& corrupt) {
  MMDB_entry_data_s data;
  const int status = MMDB_aget_value(&entry, &data, path);
  if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
      status == MMDB_INVALID_LOOKUP_PATH_ERROR) {
    return {};
  }
  if (status != MMDB_SUCCESS) {
    corrupt = true;
    return {};
  }
  if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return {data.utf8_string, data.data_size};
}

// Letters only, exactly two of them (country and continent codes), upper-cased.
void assignLetters(FixedText<2>& out, std::string_view code) {
  if (code.size() != 2 || !isAlpha(code[0]) || !isAlpha(code[1])) return;
  const char upperCode[2] = {upper(code[0]), upper(code[1])};
  out.assign({upperCode, 2});
}

// ISO 3166-2 subdivision part: 1-3 alphanumerics, joined to the country as "CC-SUB".
void assignSubdivision(FixedText<6>& out, std::string_view country, std::string_view code) {
  if (country.size() != 2 || code.empty() || code.size() > 3) return;
  char joined[6] = {country[0], country[1], '-'};
  size_t size = 3;
  for (char c : code) {
    if (!isAlnum(c)) return;
    joined[size++] = upper(c);
  }
  out.assign({joined, size});
}

std::string openErrorMessage(const std::string& path, int status, int savedErrno) {
  std::string message = "geo database " + path + ": ";
  if (status == MMDB_FILE_OPEN_ERROR || status == MMDB_IO_ERROR) {
    message += "cannot read file: ";
    message += savedErrno != 0 ? std::strerror(savedErrno) : MMDB_strerror(status);
  } else {
    message += "not a valid MaxMind DB: ";
    message += MMDB_strerror(status);
  }
  return message;
}

uint64_t nextGeneration() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

// Records are shared by many networks (one per country/subdivision in a City database), so the
// decoded answer is cached per thread by the record's data-section offset: a hit skips the
// three map walks of MMDB_aget_value. Direct-mapped, no locks, no eviction bookkeeping.
struct RecordCache {
  static constexpr size_t kSlots = 1024;
  struct Slot {
    uint64_t generation = 0;
    uint32_t offset = 0;
    GeoResult result;
  };
  std::array<Slot, kSlots> slots;

  static size_t index(uint32_t offset) { return (offset * 2654435761u) >> 22; }
};

RecordCache& recordCache() {
  thread_local RecordCache cache;
  return cache;
}

}  // namespace

std::string_view geoStatusName(GeoStatus status) {
  switch (status) {
    case GeoStatus::Found:
      return "found";
    case GeoStatus::NotFound:
      return "not_found";
    case GeoStatus::Private:
      return "private";
    case GeoStatus::Error:
      return "error";
    case GeoStatus::Disabled:
      return "disabled";
  }
  return "error";
}

void GeoDb::Closer::operator()(MMDB_s* db) const {
  MMDB_close(db);
  std::default_delete<MMDB_s>()(db);
}

GeoDb::GeoDb(std::string path, std::unique_ptr<MMDB_s, Closer> db)
    : path_(std::move(path)), db_(std::move(db)), tree_(*db_), generation_(nextGeneration()) {}

Result<std::shared_ptr<const GeoDb>> GeoDb::open(const std::string& path) {
  std::unique_ptr<MMDB_s, Closer> db(std::make_unique<MMDB_s>().release());
  errno = 0;
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db.get());
  if (status != MMDB_SUCCESS) {
    const int savedErrno = errno;
    // MMDB_open cleans up after itself on failure; closing again would double-free.
    std::unique_ptr<MMDB_s> plain(db.release());
    return makeError(openErrorMessage(path, status, savedErrno));
  }
  return std::make_shared<const GeoDb>(path, std::move(db));
}

std::string_view GeoDb::databaseType() const {
  const char* type = db_->metadata.database_type;
  return type != nullptr ? std::string_view(type) : std::string_view();
}

int GeoDb::ipVersion() const {
  return db_->metadata.ip_version;
}

uint64_t GeoDb::buildEpoch() const {
  return db_->metadata.build_epoch;
}

GeoResult GeoDb::lookup(const IpAddress& address) const {
  GeoResult result;
  const IpAddress ip = address.unmapped();
  if (ip.isPrivate()) {
    result.status = GeoStatus::Private;
    return result;
  }

  const TreeAnswer found = tree_.find(ip);
  switch (found.kind) {
    case TreeAnswer::Kind::Data:
      break;
    case TreeAnswer::Kind::Empty:
      result.status = GeoStatus::NotFound;
      return result;
    case TreeAnswer::Kind::Corrupt:
    case TreeAnswer::Kind::V6InV4Database:
      // An IPv6 address in an IPv4-only database: the location is unknown.
      result.status = GeoStatus::Error;
      return result;
  }

  RecordCache::Slot& slot = recordCache().slots[RecordCache::index(found.offset)];
  if (slot.generation == generation_ && slot.offset == found.offset) return slot.result;
  GeoResult decoded = decode(found.offset);
  slot.generation = generation_;
  slot.offset = found.offset;
  slot.result = decoded;
  return decoded;
}

GeoResult GeoDb::decode(uint32_t dataOffset) const {
  MMDB_entry_s entry{db_.get(), dataOffset};
  static const char* const kCountry[] = {"country", "iso_code", nullptr};
  static const char* const kSubdivision[] = {"subdivisions", "0", "iso_code", nullptr};
  static const char* const kContinent[] = {"continent", "code", nullptr};

  GeoResult result;
  bool corrupt = false;
  Location& loc = result.location;
  assignLetters(loc.country, readString(entry, kCountry, corrupt));
  if (!loc.country.empty()) {
    assignSubdivision(loc.subdivision, loc.country, readString(entry, kSubdivision, corrupt));
  }
  assignLetters(loc.continent, readString(entry, kContinent, corrupt));
  if (corrupt) {
    result.location = {};
    result.status = GeoStatus::Error;
    return result;
  }
  const bool located = !loc.country.empty() || !loc.continent.empty();
  result.status = located ? GeoStatus::Found : GeoStatus::NotFound;
  return result;
}

}  // namespace consentry::geo

namespace consentry::geo {
namespace {

bool containsNoCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && upper(haystack[i + j]) == upper(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

// Fully decodes the record of `text` (if any): catches a corrupt data section that a lookup of
// just the three codes might not touch.
Result<void> decodeProbe(const MMDB_s* db, const char* text) {
  int gaiError = 0;
  int mmdbError = MMDB_SUCCESS;
  MMDB_lookup_result_s found = MMDB_lookup_string(db, text, &gaiError, &mmdbError);
  if (gaiError != 0) return {};
  if (mmdbError == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return {};
  if (mmdbError != MMDB_SUCCESS) return makeError(MMDB_strerror(mmdbError));
  if (!found.found_entry) return {};
  MMDB_entry_data_list_s* list = nullptr;
  const int status = MMDB_get_entry_data_list(&found.entry, &list);
  MMDB_free_entry_data_list(list);
  if (status != MMDB_SUCCESS) return makeError(MMDB_strerror(status));
  return {};
}

}  // namespace

Result<void> validateGeoDatabase(const std::string& path) {
  auto opened = GeoDb::open(path);
  if (!opened) return opened.error();
  const GeoDb& db = **opened;
  const std::string_view type = db.databaseType();
  if (!containsNoCase(type, "city") && !containsNoCase(type, "country") &&
      !containsNoCase(type, "enterprise")) {
    return makeError("geo database " + path + ": database type '" + std::string(type) +
                     "' has no country data (need a City or Country database)");
  }
  // Addresses spread over the tree, both families.
  static const char* const kProbes[] = {"1.1.1.1",        "8.8.8.8",      "81.2.69.142",
                                        "89.160.20.1",    "175.16.199.1", "216.160.83.56",
                                        "2001:480:10::1", "2a02:d3c0::1", "2001:218::1"};
  for (const char* probe : kProbes) {
    auto decoded = decodeProbe(db.handle(), probe);
    if (!decoded) {
      return makeError("geo database " + path + ": corrupt data (looking up " + probe +
                       "): " + decoded.error().message);
    }
    const GeoResult r = db.lookup(*IpAddress::parse(probe));
    if (r.status == GeoStatus::Error && db.ipVersion() == 6) {
      return makeError("geo database " + path + ": corrupt data (looking up " + probe + ")");
    }
  }
  return {};
}

}  // namespace consentry::geo
