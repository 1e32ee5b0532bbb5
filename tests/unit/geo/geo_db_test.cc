#include "geo/geo_db.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "tests/unit/geo/test_mmdb.h"

namespace consentry::geo {
namespace {

using testing::buildMmdb;
using testing::cityRows;
using testing::gapAddresses;

class GeoDbTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = buildMmdb("city", cityRows());
    v4Path_ = buildMmdb("city-v4", {{"81.2.69.0/24", "GB", "ENG", "EU", ""}}, "--ipv4-only");
  }
  static inline std::string path_;
  static inline std::string v4Path_;

  std::shared_ptr<const GeoDb> open() {
    auto db = GeoDb::open(path_);
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message);
    return db.ok() ? *db : nullptr;
  }
};

IpAddress ip(const std::string& text) {
  auto a = IpAddress::parse(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a.value_or(IpAddress());
}

TEST_F(GeoDbTest, EveryNetworkResolvesToItsRow) {
  ASSERT_FALSE(path_.empty()) << "make_test_mmdb.pl failed";
  auto db = open();
  ASSERT_TRUE(db);
  for (const auto& row : cityRows()) {
    SCOPED_TRACE(row.probe);
    const GeoResult r = db->lookup(ip(row.probe));
    ASSERT_EQ(r.status, GeoStatus::Found);
    EXPECT_EQ(r.location.country, row.country == "-" ? "" : row.country);
    const std::string sub = row.subdivision == "-" || row.country == "-"
                                ? std::string()
                                : row.country + "-" + row.subdivision;
    EXPECT_EQ(r.location.subdivision, sub);
    EXPECT_EQ(r.location.continent, row.continent == "-" ? "" : row.continent);
  }
}

TEST_F(GeoDbTest, GapsAreNotFound) {
  auto db = open();
  ASSERT_TRUE(db);
  for (const auto& gap : gapAddresses()) {
    EXPECT_EQ(db->lookup(ip(gap)).status, GeoStatus::NotFound) << gap;
  }
}

TEST_F(GeoDbTest, Ipv4MappedIpv6IsLookedUpAsIpv4) {
  auto db = open();
  ASSERT_TRUE(db);
  const GeoResult mapped = db->lookup(ip("::ffff:214.78.121.1"));
  const GeoResult plain = db->lookup(ip("214.78.121.1"));
  ASSERT_EQ(mapped.status, GeoStatus::Found);
  EXPECT_EQ(mapped.location.subdivision, plain.location.subdivision);
  EXPECT_EQ(mapped.location.subdivision, "US-CA");
}

TEST_F(GeoDbTest, PrivateAndLoopbackAreNeverLookedUp) {
  auto db = open();
  ASSERT_TRUE(db);
  for (const char* a : {"10.1.2.3", "192.168.0.1", "172.16.5.4", "127.0.0.1", "::1", "fd00::1",
                        "fe80::1", "0.0.0.0", "::", "::ffff:10.0.0.1", "169.254.1.1"}) {
    EXPECT_EQ(db->lookup(ip(a)).status, GeoStatus::Private) << a;
  }
}

TEST_F(GeoDbTest, NetworkBoundariesAreExact) {
  auto db = open();
  ASSERT_TRUE(db);
  // 214.78.120.0/22 covers .120.0 - .123.255.
  EXPECT_EQ(db->lookup(ip("214.78.120.0")).status, GeoStatus::Found);
  EXPECT_EQ(db->lookup(ip("214.78.123.255")).status, GeoStatus::Found);
  EXPECT_EQ(db->lookup(ip("214.78.119.255")).status, GeoStatus::NotFound);
  EXPECT_EQ(db->lookup(ip("214.78.124.0")).status, GeoStatus::NotFound);
}

TEST_F(GeoDbTest, Ipv6InIpv4OnlyDatabaseIsAnErrorNotACrash) {
  ASSERT_FALSE(v4Path_.empty());
  auto db = GeoDb::open(v4Path_);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->ipVersion(), 4);
  EXPECT_EQ((*db)->lookup(ip("81.2.69.1")).status, GeoStatus::Found);
  EXPECT_EQ((*db)->lookup(ip("::ffff:81.2.69.1")).status, GeoStatus::Found);
  EXPECT_EQ((*db)->lookup(ip("2001:480:10::1")).status, GeoStatus::Error);
}

TEST_F(GeoDbTest, MetadataIsExposed) {
  auto db = open();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->databaseType(), "Consentry-Test-City");
  EXPECT_EQ(db->ipVersion(), 6);
  EXPECT_GT(db->buildEpoch(), 0u);
}

TEST_F(GeoDbTest, RandomAddressesNeverCrashAndAreConsistent) {
  auto db = open();
  ASSERT_TRUE(db);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::array<uint8_t, 16> b{};
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    const IpAddress a = (i % 2) ? IpAddress::v4(static_cast<uint32_t>(rng())) : IpAddress::v6(b);
    const GeoResult r = db->lookup(a);
    if (r.status == GeoStatus::Found) {
      EXPECT_TRUE(!r.location.country.empty() || !r.location.continent.empty());
      if (!r.location.subdivision.empty()) {
        EXPECT_TRUE(r.location.subdivision.view().starts_with(r.location.country.str() + "-"));
      }
    } else {
      EXPECT_TRUE(r.location.country.empty() && r.location.subdivision.empty());
    }
  }
}

TEST(GeoDbOpen, MissingFileIsAClearError) {
  auto db = GeoDb::open("/nonexistent/GeoLite2-City.mmdb");
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("/nonexistent/GeoLite2-City.mmdb"), std::string::npos);
  EXPECT_NE(db.error().message.find("cannot read"), std::string::npos);
  EXPECT_FALSE(validateGeoDatabase("/nonexistent/GeoLite2-City.mmdb").ok());
}

TEST(GeoDbOpen, GarbageFileIsRejected) {
  const auto path = testing::fixtureDir() / "garbage.mmdb";
  {
    std::ofstream f(path, std::ios::binary);
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>(i * 7));
  }
  auto db = GeoDb::open(path.string());
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.error().message.find("not a valid MaxMind DB"), std::string::npos);
  EXPECT_FALSE(validateGeoDatabase(path.string()).ok());
}

TEST_F(GeoDbTest, TruncatedDatabaseNeverCrashes) {
  // Every prefix of a valid file: rejected at open, or every lookup answers without crashing.
  std::ifstream in(path_, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 100u);
  const auto cut = testing::fixtureDir() / "cut.mmdb";
  for (size_t len : {size_t{0}, size_t{16}, bytes.size() / 3, bytes.size() / 2, bytes.size() - 60,
                     bytes.size() - 1}) {
    {
      std::ofstream f(cut, std::ios::binary | std::ios::trunc);
      f.write(bytes.data(), static_cast<std::streamsize>(len));
    }
    auto db = GeoDb::open(cut.string());
    if (!db.ok()) continue;
    for (const auto& row : cityRows()) (void)(*db)->lookup(ip(row.probe));
  }
}

TEST_F(GeoDbTest, ValidateAcceptsCityDatabase) {
  auto ok = validateGeoDatabase(path_);
  EXPECT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().message);
}

TEST(GeoStatusName, Names) {
  EXPECT_EQ(geoStatusName(GeoStatus::Found), "found");
  EXPECT_EQ(geoStatusName(GeoStatus::NotFound), "not_found");
  EXPECT_EQ(geoStatusName(GeoStatus::Private), "private");
  EXPECT_EQ(geoStatusName(GeoStatus::Error), "error");
  EXPECT_EQ(geoStatusName(GeoStatus::Disabled), "disabled");
}

}  // namespace
}  // namespace consentry::geo
