#include "filters/policy/region_policy.h"

#include <gtest/gtest.h>

#include "events/router.h"
#include "tests/unit/geo/test_mmdb.h"

namespace consentry::filters::policy {
namespace {

using namespace config;

Config twoRegions() {
  Config c;
  Region eea;
  eea.name = "eea";
  eea.countries = {"DE", "GB"};
  eea.fields.location = LocationRule::Country;
  eea.fields.ip = IpRule::Truncate;
  eea.fields.ipV4Bits = 24;
  eea.fields.ipV6Bits = 48;
  eea.sinks = {"eu_events"};
  Region def;
  def.name = "default";
  def.isDefault = true;
  c.regions = {eea, def};
  return c;
}

class RegionPolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = geo::testing::buildMmdb("region-policy", geo::testing::cityRows());
  }
  static inline std::string path_;
};

TEST_F(RegionPolicyTest, LocatedClientGetsItsRegionAndReducedLocation) {
  ASSERT_FALSE(path_.empty());
  geo::GeoDatabase db(path_);
  auto resolver = geo::RegionResolver::build(twoRegions());
  ASSERT_TRUE(resolver.ok());
  const IpAddress client = *IpAddress::parse("2.16.9.9");
  const RegionDecision d = decideRegion(*resolver, &db, client);
  events::Event e;
  e.ip = client;
  applyRegion(d, e);
  EXPECT_EQ(e.region, "eea");
  EXPECT_EQ(e.country, "DE");
  EXPECT_FALSE(e.subdivision.has_value());  // eea keeps country only
  EXPECT_EQ(e.ip->toString(), "2.16.9.0");
  // The region the policy stamps is the key the pipeline's router delivers by.
  auto router = events::Router::build(twoRegions(), {"eu_events", "us_events"});
  ASSERT_TRUE(router.ok());
  EXPECT_EQ(router->route(e.region), events::SinkMask{1});
}

TEST_F(RegionPolicyTest, DefaultRegionKeepsSubdivision) {
  geo::GeoDatabase db(path_);
  auto resolver = geo::RegionResolver::build(twoRegions());
  ASSERT_TRUE(resolver.ok());
  const RegionDecision d = decideRegion(*resolver, &db, *IpAddress::parse("214.78.121.1"));
  events::Event e;
  applyRegion(d, e);
  EXPECT_EQ(e.region, "default");
  EXPECT_EQ(e.subdivision, "US-CA");
  auto router = events::Router::build(twoRegions(), {"eu_events", "us_events"});
  ASSERT_TRUE(router.ok());
  EXPECT_EQ(router->route(e.region), events::SinkMask{3});
}

TEST_F(RegionPolicyTest, FailedLookupIsUnknownWithoutLocation) {
  geo::GeoDatabase db(path_);
  auto resolver = geo::RegionResolver::build(twoRegions());
  ASSERT_TRUE(resolver.ok());
  for (const char* a : {"1.2.3.4", "10.0.0.1", "::1"}) {
    const RegionDecision d = decideRegion(*resolver, &db, *IpAddress::parse(a));
    events::Event e;
    e.country = "XX";  // stale values never survive
    e.ip = IpAddress::parse("203.0.113.9");
    applyRegion(d, e);
    EXPECT_EQ(e.region, "unknown") << a;
    EXPECT_FALSE(e.country || e.subdivision);
    EXPECT_EQ(e.ip->toString(), "203.0.113.0");  // strictest: eea's truncation
  }
}

TEST_F(RegionPolicyTest, BrokenDatabaseMeansUnknownNoDatabaseMeansDefault) {
  auto resolver = geo::RegionResolver::build(twoRegions());
  ASSERT_TRUE(resolver.ok());
  geo::GeoDatabase missing("/nonexistent.mmdb");
  EXPECT_EQ(decideRegion(*resolver, &missing, *IpAddress::parse("2.16.9.9")).rules->name,
            "unknown");
  const RegionDecision off = decideRegion(*resolver, nullptr, *IpAddress::parse("2.16.9.9"));
  EXPECT_EQ(off.rules->name, "default");
  EXPECT_EQ(off.geo.status, geo::GeoStatus::Disabled);
}

}  // namespace
}  // namespace consentry::filters::policy
