#include "geo/region_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/unit/geo/test_mmdb.h"

namespace consentry::geo {
namespace {

using namespace config;

Region region(std::string name, std::vector<std::string> countries,
              std::vector<std::string> subdivisions = {}, std::vector<std::string> continents = {},
              std::vector<std::string> sinks = {}) {
  Region r;
  r.name = std::move(name);
  r.countries = std::move(countries);
  r.subdivisions = std::move(subdivisions);
  r.continents = std::move(continents);
  r.sinks = std::move(sinks);
  r.isDefault = r.name == "default";
  return r;
}

GeoResult found(std::string_view country, std::string_view subdivision,
                std::string_view continent) {
  return GeoResult{GeoStatus::Found, {country, subdivision, continent}};
}

Config sampleConfig() {
  Config c;
  Region eea = region("eea", {"DE", "FR", "se"}, {}, {}, {"eu_events"});
  eea.fields.ip = IpRule::Truncate;
  eea.fields.ipV4Bits = 24;
  eea.fields.ipV6Bits = 48;
  eea.fields.location = LocationRule::Country;
  Region ca = region("us-ca", {}, {"US-CA"}, {}, {"us_events"});
  ca.fields.referrer = ReferrerRule::Origin;
  Region cn = region("cn", {"CN"}, {}, {}, {"cn_events"});
  cn.fields.ip = IpRule::Drop;
  Region oceania = region("oceania", {}, {}, {"OC"}, {"us_events"});
  c.regions = {eea, ca, cn, oceania, region("default", {}, {}, {}, {"us_events"})};
  return c;
}

TEST(RegionResolver, FirstMatchWinsByCountrySubdivisionContinent) {
  auto r = RegionResolver::build(sampleConfig());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->resolve(found("DE", "DE-BE", "EU")).name, "eea");
  EXPECT_EQ(r->resolve(found("SE", "", "EU")).name, "eea");  // config codes are case-folded
  EXPECT_EQ(r->resolve(found("US", "US-CA", "NA")).name, "us-ca");
  EXPECT_EQ(r->resolve(found("US", "US-WA", "NA")).name, "default");
  EXPECT_EQ(r->resolve(found("CN", "CN-22", "AS")).name, "cn");
  EXPECT_EQ(r->resolve(found("AU", "", "OC")).name, "oceania");
  EXPECT_EQ(r->resolve(found("", "", "EU")).name, "default");
}

// The rule of SPEC §2 written the obvious way: regions in order, the first that lists the
// location's country, subdivision or continent (case-insensitively), or is a catch-all, wins.
std::optional<size_t> firstMatchByScan(const Config& c, const Location& loc) {
  auto upper = [](std::string code) {
    for (char& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return code;
  };
  auto lists = [&](const std::vector<std::string>& codes, std::string_view code) {
    return !code.empty() && std::any_of(codes.begin(), codes.end(),
                                        [&](const std::string& x) { return upper(x) == code; });
  };
  for (size_t i = 0; i < c.regions.size(); ++i) {
    const Region& r = c.regions[i];
    const bool catchAll = r.isDefault || r.name == "default" ||
                          (r.countries.empty() && r.subdivisions.empty() && r.continents.empty());
    if (catchAll || lists(r.countries, loc.country) || lists(r.subdivisions, loc.subdivision) ||
        lists(r.continents, loc.continent)) {
      return i;
    }
  }
  return std::nullopt;
}

// Random configs over a small code pool (repeats across regions, lower case, codes no database
// can carry) against the scan, for random located clients.
TEST(RegionResolver, TablesAgreeWithAnInOrderScan) {
  const std::vector<std::string> countries = {"DE", "fr", "US", "BR", "CN", "CA", "D1", "DEU"};
  const std::vector<std::string> subdivisions = {"US-CA", "us-ny",   "DE-BY", "CN-11",
                                                 "CA-QC", "US-CALI", "US-"};
  const std::vector<std::string> continents = {"EU", "NA", "as", "SA", "E"};
  const std::vector<std::string> locCountries = {"", "DE", "FR", "US", "BR", "CN", "CA", "JP"};
  const std::vector<std::string> locSubdivisions = {"",      "US-CA", "US-NY", "DE-BY",
                                                    "CN-11", "CA-QC", "US-WA", "US-C"};
  const std::vector<std::string> locContinents = {"", "EU", "NA", "AS", "SA", "OC"};
  std::mt19937 rng(7);
  auto pick = [&](const std::vector<std::string>& pool, size_t most) {
    std::vector<std::string> out;
    const size_t n = rng() % (most + 1);
    for (size_t i = 0; i < n; ++i) out.push_back(pool[rng() % pool.size()]);
    return out;
  };
  for (int round = 0; round < 2000; ++round) {
    Config c;
    const size_t regions = 1 + rng() % 6;
    for (size_t i = 0; i < regions; ++i) {
      const bool named = rng() % 8 == 0;
      Region r = region(named ? "default" : "r" + std::to_string(i), pick(countries, 3),
                        pick(subdivisions, 2), pick(continents, 1));
      c.regions.push_back(std::move(r));
    }
    auto resolver = RegionResolver::build(c);
    ASSERT_TRUE(resolver.ok());
    for (int probe = 0; probe < 20; ++probe) {
      const GeoResult geo = found(locCountries[rng() % locCountries.size()],
                                  locSubdivisions[rng() % locSubdivisions.size()],
                                  locContinents[rng() % locContinents.size()]);
      const RegionRules& got = resolver->resolve(geo);
      const std::optional<size_t> want = firstMatchByScan(c, geo.location);
      if (want) {
        ASSERT_EQ(&got, &resolver->regions()[*want]) << "round " << round << " probe " << probe;
      } else {
        ASSERT_EQ(got.name, "default");
        ASSERT_TRUE(std::none_of(resolver->regions().begin(), resolver->regions().end(),
                                 [&](const RegionRules& r) { return &r == &got; }));
      }
    }
  }
}

TEST(RegionResolver, FailuresGoToUnknownAndDisabledToDefault) {
  auto r = RegionResolver::build(sampleConfig());
  ASSERT_TRUE(r.ok());
  for (GeoStatus s : {GeoStatus::NotFound, GeoStatus::Private, GeoStatus::Error}) {
    EXPECT_EQ(r->resolve(GeoResult{s, {}}).name, "unknown");
  }
  EXPECT_EQ(r->resolve(GeoResult{GeoStatus::Disabled, {}}).name, "default");
}

// Where "unknown" events are delivered is the router's job (tests/unit/events/router_test.cc).
TEST(RegionResolver, UnknownIsStrictest) {
  auto r = RegionResolver::build(sampleConfig());
  ASSERT_TRUE(r.ok());
  const RegionRules& u = r->unknown();
  EXPECT_EQ(u.fields.ip, IpRule::Drop);  // cn drops, eea only truncates
  EXPECT_EQ(u.fields.location, LocationRule::Country);
  EXPECT_EQ(u.fields.referrer, ReferrerRule::Origin);
}

TEST(RegionResolver, UnknownCanBorrowANamedRegion) {
  Config c = sampleConfig();
  c.unknownRegion = "eea";
  auto r = RegionResolver::build(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unknown().name, "unknown");
  EXPECT_EQ(r->unknown().fields.ip, IpRule::Truncate);
  EXPECT_EQ(r->unknown().fields.ipV4Bits, 24);
  c.unknownRegion = "atlantis";
  auto bad = RegionResolver::build(c);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("atlantis"), std::string::npos);
}

TEST(RegionResolver, NoRegionsKeepsEverything) {
  auto r = RegionResolver::build(Config{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->resolve(found("DE", "", "EU")).name, "default");
  EXPECT_EQ(r->unknown().fields.ip, IpRule::Keep);
  EXPECT_EQ(r->unknown().fields.location, LocationRule::Subdivision);
}

TEST(RegionResolver, WithoutDefaultUnmatchedClientsGetImplicitDefault) {
  Config c;
  Region eea = region("eea", {"DE"});
  eea.fields.language = LanguageRule::Drop;
  c.regions = {eea};
  auto r = RegionResolver::build(c);
  ASSERT_TRUE(r.ok());
  const RegionRules& d = r->resolve(found("US", "US-NY", "NA"));
  EXPECT_EQ(d.name, "default");
  EXPECT_EQ(d.fields.language, LanguageRule::Full);
  EXPECT_EQ(r->unknown().fields.language, LanguageRule::Drop);
}

TEST(RegionResolver, GpcOfUnknownIsTheStrictestOverride) {
  Config c = sampleConfig();
  c.consent.gpc = GpcMode::RefuseMarketing;
  c.regions[1].gpc = GpcMode::RefuseAll;
  auto r = RegionResolver::build(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unknown().gpc, GpcMode::RefuseAll);
  EXPECT_FALSE(r->resolve(found("DE", "", "EU")).gpc.has_value());
}

TEST(RegionResolver, FindByName) {
  auto r = RegionResolver::build(sampleConfig());
  ASSERT_TRUE(r.ok());
  ASSERT_NE(r->find("cn"), nullptr);
  EXPECT_EQ(r->find("cn")->fields.ip, IpRule::Drop);
  EXPECT_EQ(r->find("unknown"), &r->unknown());
  EXPECT_EQ(r->find("nope"), nullptr);
}

TEST(RegionResolver, EndToEndWithGeneratedDatabase) {
  const std::string path = testing::buildMmdb("resolver", testing::cityRows());
  ASSERT_FALSE(path.empty());
  auto db = GeoDb::open(path);
  ASSERT_TRUE(db.ok());
  auto r = RegionResolver::build(sampleConfig());
  ASSERT_TRUE(r.ok());
  auto regionOf = [&](const char* a) {
    return r->resolve((*db)->lookup(IpAddress::parse(a).value())).name;
  };
  EXPECT_EQ(regionOf("2.16.3.4"), "eea");
  EXPECT_EQ(regionOf("2003:1fff::1"), "eea");
  EXPECT_EQ(regionOf("214.78.121.1"), "us-ca");
  EXPECT_EQ(regionOf("::ffff:214.78.121.1"), "us-ca");
  EXPECT_EQ(regionOf("2001:480:10::1"), "us-ca");
  EXPECT_EQ(regionOf("216.160.83.56"), "default");
  EXPECT_EQ(regionOf("175.16.199.1"), "cn");
  EXPECT_EQ(regionOf("1.128.0.1"), "oceania");
  EXPECT_EQ(regionOf("1.2.3.4"), "unknown");
  EXPECT_EQ(regionOf("10.0.0.1"), "unknown");
  EXPECT_EQ(regionOf("::1"), "unknown");
}

}  // namespace
}  // namespace consentry::geo
