#include "events/router.h"

#include <gtest/gtest.h>

#include <random>

namespace consentry::events {
namespace {

config::Region region(std::string name, std::vector<std::string> sinks) {
  config::Region r;
  r.name = std::move(name);
  r.sinks = std::move(sinks);
  return r;
}

const std::vector<std::string> kSinks = {"local", "collector", "eu_events", "us_events"};

SinkMask bits(std::initializer_list<int> indexes) {
  SinkMask m = 0;
  for (int i : indexes) m |= SinkMask{1} << i;
  return m;
}

TEST(Router, RegionsNameTheirSinksOrGetAll) {
  config::Config c;
  c.regions = {region("eea", {"eu_events"}), region("us-ca", {"us_events", "local"}),
               region("default", {})};
  auto r = Router::build(c, kSinks);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->route("eea"), bits({2}));
  EXPECT_EQ(r->route("us-ca"), bits({0, 3}));
  EXPECT_EQ(r->route("default"), bits({0, 1, 2, 3}));
  // strictest: the union of the regions' sets (here all, because default names none)
  EXPECT_EQ(r->route("unknown"), bits({0, 1, 2, 3}));
}

TEST(Router, UnknownRegion) {
  config::Config c;
  c.regions = {region("eea", {"eu_events"}), region("us-ca", {"us_events"})};
  auto strictest = Router::build(c, kSinks);
  ASSERT_TRUE(strictest.ok());
  EXPECT_EQ(strictest->route("unknown"), bits({2, 3}));
  EXPECT_EQ(strictest->route("default"), bits({0, 1, 2, 3}));  // not configured: all sinks
  EXPECT_EQ(strictest->route("removed-by-reload"), bits({2, 3}));

  c.unknownRegion = "eea";
  EXPECT_EQ(Router::build(c, kSinks)->route("unknown"), bits({2}));
  c.unknownSinks = {"local"};
  EXPECT_EQ(Router::build(c, kSinks)->route("unknown"), bits({0}));
}

TEST(Router, NoRegionsMeansAllSinks) {
  config::Config c;
  auto r = Router::build(c, {"only"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->route("default"), 1u);
  EXPECT_EQ(r->route("unknown"), 1u);
}

TEST(Router, Errors) {
  config::Config c;
  c.regions = {region("eea", {"nope"})};
  auto r = Router::build(c, kSinks);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("nope"), std::string::npos);
  c.regions.clear();
  c.unknownSinks = {"ghost"};
  EXPECT_FALSE(Router::build(c, kSinks).ok());
  EXPECT_FALSE(Router::build(config::Config{}, std::vector<std::string>(65, "s")).ok());
}

// Residency as a property: for random region/sink tables, a region that names sinks never
// routes anywhere else, and one that names none routes everywhere.
TEST(Router, ResidencyProperty) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 2000; ++round) {
    size_t nSinks = 1 + rng() % 8;
    std::vector<std::string> names;
    for (size_t i = 0; i < nSinks; ++i) names.push_back("s" + std::to_string(i));
    config::Config c;
    size_t nRegions = rng() % 6;
    for (size_t i = 0; i < nRegions; ++i) {
      std::vector<std::string> mine;
      for (size_t s = 0; s < nSinks; ++s) {
        if (rng() % 3 == 0) mine.push_back(names[s]);
      }
      c.regions.push_back(region("r" + std::to_string(i), mine));
    }
    auto r = Router::build(c, names);
    ASSERT_TRUE(r.ok());
    SinkMask all = (SinkMask{1} << nSinks) - 1;
    for (const config::Region& reg : c.regions) {
      SinkMask got = r->route(reg.name);
      SinkMask allowed = 0;
      for (const auto& s : reg.sinks) {
        allowed |= SinkMask{1} << static_cast<size_t>(std::stoi(s.substr(1)));
      }
      if (reg.sinks.empty()) allowed = all;
      EXPECT_EQ(got, allowed) << reg.name;
    }
  }
}

}  // namespace
}  // namespace consentry::events
