// Compatibility with MaxMind's published test databases (github.com/maxmind/MaxMind-DB), when
// they are present next to the repo at ../shared/testdata/maxmind (never committed here).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "geo/geo_db.h"
#include "tests/unit/geo/test_mmdb.h"

namespace consentry::geo {
namespace {

namespace fs = std::filesystem;

fs::path dataDir() {
  return testing::maxmindDataDir();
}

#define REQUIRE_MAXMIND_DATA()                                                 \
  if (!fs::exists(dataDir() / "EXPECTED.md")) {                                \
    GTEST_SKIP() << "MaxMind test data not present at " << dataDir().string(); \
  }

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

struct ExpectedRow {
  std::string ip;
  std::string country;      // empty: NOT FOUND
  std::string subdivision;  // first subdivision code without the country, or empty
};

// The GeoIP2-City-Test table of EXPECTED.md: | IP | country | sub0 | sub1 | city | prefix |.
std::vector<ExpectedRow> expectedCityRows() {
  std::ifstream in(dataDir() / "EXPECTED.md");
  std::vector<ExpectedRow> rows;
  std::string line;
  bool inCity = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) inCity = line.find("GeoIP2-City-Test.mmdb") != std::string::npos;
    if (!inCity || line.rfind("| ", 0) != 0 || line.rfind("| IP", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line.substr(1));
    std::string cell;
    while (std::getline(ss, cell, '|')) cells.push_back(trim(cell));
    if (cells.size() < 3) continue;
    ExpectedRow row;
    row.ip = cells[0].substr(0, cells[0].find(' '));
    if (cells[1] != "NOT FOUND") {
      row.country = cells[1];
      if (cells[2].find('(') == std::string::npos) row.subdivision = cells[2];
    }
    rows.push_back(row);
  }
  return rows;
}

TEST(MaxMindCompat, CityTestMatchesExpectedTable) {
  REQUIRE_MAXMIND_DATA();
  auto db = GeoDb::open((dataDir() / "test-data" / "GeoIP2-City-Test.mmdb").string());
  ASSERT_TRUE(db.ok()) << db.error().message;
  const auto rows = expectedCityRows();
  ASSERT_GE(rows.size(), 10u);
  for (const auto& row : rows) {
    SCOPED_TRACE(row.ip);
    auto ip = IpAddress::parse(row.ip);
    ASSERT_TRUE(ip.has_value());
    const GeoResult r = (*db)->lookup(*ip);
    if (row.country.empty()) {
      EXPECT_TRUE(r.status == GeoStatus::NotFound || r.status == GeoStatus::Private);
      continue;
    }
    ASSERT_EQ(r.status, GeoStatus::Found);
    EXPECT_EQ(r.location.country, row.country);
    EXPECT_EQ(r.location.subdivision,
              row.subdivision.empty() ? "" : row.country + "-" + row.subdivision);
    EXPECT_FALSE(r.location.continent.empty());
  }
}

TEST(MaxMindCompat, CountryAndLiteDatabases) {
  REQUIRE_MAXMIND_DATA();
  const fs::path dir = dataDir() / "test-data";
  auto country = GeoDb::open((dir / "GeoIP2-Country-Test.mmdb").string());
  ASSERT_TRUE(country.ok());
  EXPECT_EQ((*country)->lookup(*IpAddress::parse("81.2.69.160")).location.country, "GB");
  EXPECT_EQ((*country)->lookup(*IpAddress::parse("2a02:d3c0::1")).location.country, "GB");
  EXPECT_TRUE((*country)->lookup(*IpAddress::parse("81.2.69.160")).location.subdivision.empty());
  auto lite = GeoDb::open((dir / "GeoLite2-City-Test.mmdb").string());
  ASSERT_TRUE(lite.ok());
  EXPECT_EQ((*lite)->lookup(*IpAddress::parse("81.2.69.142")).location.country, "GB");
  for (const char* name : {"GeoIP2-City-Test.mmdb", "GeoIP2-Country-Test.mmdb",
                           "GeoLite2-City-Test.mmdb", "GeoLite2-Country-Test.mmdb"}) {
    auto ok = validateGeoDatabase((dir / name).string());
    EXPECT_TRUE(ok.ok()) << name << ": " << (ok.ok() ? "" : ok.error().message);
  }
  for (const char* name :
       {"GeoLite2-ASN-Test.mmdb", "GeoIP2-ISP-Test.mmdb", "GeoIP2-Anonymous-IP-Test.mmdb"}) {
    EXPECT_FALSE(validateGeoDatabase((dir / name).string()).ok()) << name;
  }
}

// Databases that the reader must reject or survive: bad-data/** plus the intentionally broken
// files of test-data/.
std::vector<fs::path> brokenDatabases() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dataDir() / "bad-data")) {
    if (e.path().extension() == ".mmdb") out.push_back(e.path());
  }
  for (const char* name :
       {"MaxMind-DB-test-broken-pointers-24.mmdb", "MaxMind-DB-test-broken-search-tree-24.mmdb",
        "MaxMind-DB-test-pointer-decoder.mmdb", "GeoIP2-City-Test-Broken-Double-Format.mmdb",
        "GeoIP2-City-Test-Invalid-Node-Count.mmdb"}) {
    out.push_back(dataDir() / "test-data" / name);
  }
  return out;
}

TEST(MaxMindCompat, BrokenDatabasesAreRejectedOrSurvived) {
  REQUIRE_MAXMIND_DATA();
  const auto files = brokenDatabases();
  ASSERT_GE(files.size(), 20u);
  std::mt19937 rng(7);
  int rejectedAtOpen = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    auto db = GeoDb::open(path.string());
    if (!db.ok()) {
      ++rejectedAtOpen;
      EXPECT_NE(db.error().message.find(path.string()), std::string::npos);
      EXPECT_FALSE(validateGeoDatabase(path.string()).ok());
      continue;
    }
    for (const char* a : {"1.1.1.1", "1.1.1.3", "81.2.69.142", "::1:ffff:ffff", "2001:220::1",
                          "::ffff:1.1.1.1", "255.255.255.255", "ffff::1"}) {
      (void)(*db)->lookup(*IpAddress::parse(a));
    }
    for (int i = 0; i < 2000; ++i) {
      (void)(*db)->lookup(IpAddress::v4(rng()));
    }
    (void)validateGeoDatabase(path.string());
  }
  EXPECT_GE(rejectedAtOpen, 9);  // the invalid metadata/data files listed in EXPECTED.md
}

TEST(MaxMindCompat, EveryTestDatabaseSurvivesLookups) {
  REQUIRE_MAXMIND_DATA();
  std::mt19937 rng(11);
  for (const auto& e : fs::directory_iterator(dataDir() / "test-data")) {
    if (e.path().extension() != ".mmdb") continue;
    auto db = GeoDb::open(e.path().string());
    if (!db.ok()) continue;
    for (int i = 0; i < 500; ++i) {
      std::array<uint8_t, 16> b{};
      for (auto& x : b) x = static_cast<uint8_t>(rng());
      (void)(*db)->lookup(IpAddress::v6(b));
      (void)(*db)->lookup(IpAddress::v4(rng()));
    }
  }
}

}  // namespace
}  // namespace consentry::geo
