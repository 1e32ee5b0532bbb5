// The shipped conf/regions/*.yaml presets: they load through the real config loader (with
// `include:`), resolve the right visitors, and every region they define (plus the strictest
// "unknown" they produce together) keeps SPEC §9 invariant 2 on random events.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/config_loader.h"
#include "filters/policy/region_policy.h"
#include "tests/unit/filters/policy/policy_invariants.h"
#include "tests/unit/geo/test_mmdb.h"

namespace consentry::filters::policy {
namespace {

namespace fs = std::filesystem;
using namespace config;

fs::path regionsDir() {
  return fs::path(CONSENTRY_SOURCE_DIR) / "conf" / "regions";
}

std::vector<std::string> shippedFiles() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(regionsDir())) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Loads `yaml` as if it were a config file at the repository root, so includes read
// conf/regions/... exactly as the brief's `{include: conf/regions/gdpr.yaml}` spells them.
ConfigPtr load(const std::string& yaml) {
  // The loader wants an upstream; regions are all this test is about.
  const std::string full = "upstreams: [{name: site, servers: [\"127.0.0.1:8081\"]}]\n" + yaml;
  const LoadResult r =
      loadConfigString(full, (fs::path(CONSENTRY_SOURCE_DIR) / "presets-test.yaml").string());
  for (const auto& e : r.errors) ADD_FAILURE() << e.format();
  return r.config;
}

// Every preset, specific ones first and default last, as a deployment would list them.
ConfigPtr loadAll() {
  return load(
      "regions:\n"
      "  - include: conf/regions/gdpr.yaml\n"
      "  - include: conf/regions/us-privacy.yaml\n"
      "  - include: conf/regions/brazil.yaml\n"
      "  - include: conf/regions/china.yaml\n"
      "  - include: conf/regions/canada.yaml\n"
      "  - include: conf/regions/default.yaml\n");
}

const Region* findRegion(const Config& c, const std::string& name) {
  for (const Region& r : c.regions) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

TEST(RegionPresets, EveryShippedFileLoadsAloneAndCitesItsLaw) {
  const auto files = shippedFiles();
  ASSERT_GE(files.size(), 6u);
  for (const auto& f : files) {
    SCOPED_TRACE(f);
    const ConfigPtr c = load("regions: [{include: conf/regions/" + f + "}]\n");
    ASSERT_TRUE(c);
    EXPECT_GE(c->regions.size(), 1u);
    std::ifstream in(regionsDir() / f);
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first.rfind("# ", 0), 0u) << "first line should be the comment citing the law";
  }
}

TEST(RegionPresets, GdprCoversEuEeaUkAndSwitzerland) {
  const ConfigPtr c = loadAll();
  ASSERT_TRUE(c);
  const Region* gdpr = findRegion(*c, "gdpr");
  ASSERT_NE(gdpr, nullptr);
  EXPECT_EQ(gdpr->countries.size(), 27u + 3u + 1u + 1u);
  for (const char* cc : {"DE", "FR", "IE", "HR", "NO", "IS", "LI", "GB", "CH"}) {
    EXPECT_NE(std::find(gdpr->countries.begin(), gdpr->countries.end(), cc), gdpr->countries.end())
        << cc;
  }
  EXPECT_EQ(gdpr->fields.ip, IpRule::Truncate);
  EXPECT_EQ(gdpr->fields.ipV4Bits, 24);
  EXPECT_EQ(gdpr->fields.ipV6Bits, 48);
  EXPECT_EQ(gdpr->fields.osVersion, VersionRule::Major);
  EXPECT_EQ(gdpr->fields.browserVersion, VersionRule::Major);
  EXPECT_EQ(gdpr->fields.language, LanguageRule::Primary);
  EXPECT_EQ(gdpr->fields.location, LocationRule::Country);
  EXPECT_EQ(gdpr->fields.referrer, ReferrerRule::Origin);
}

TEST(RegionPresets, UsStatesWithGpc) {
  const ConfigPtr c = loadAll();
  ASSERT_TRUE(c);
  const Region* us = findRegion(*c, "us-privacy");
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->subdivisions.size(), 19u);
  EXPECT_TRUE(us->countries.empty());
  ASSERT_TRUE(us->gpc.has_value());
  EXPECT_NE(*us->gpc, GpcMode::Ignore);
  const Region* cn = findRegion(*c, "china");
  ASSERT_NE(cn, nullptr);
  EXPECT_EQ(cn->fields.ip, IpRule::Drop);
  EXPECT_EQ(cn->fields.location, LocationRule::Country);
  EXPECT_TRUE(findRegion(*c, "brazil") && findRegion(*c, "quebec") && findRegion(*c, "canada"));
  EXPECT_TRUE(c->regions.back().isDefault);
}

TEST(RegionPresets, VisitorsLandInTheirRegion) {
  const ConfigPtr c = loadAll();
  ASSERT_TRUE(c);
  auto resolver = geo::RegionResolver::build(*c);
  ASSERT_TRUE(resolver.ok()) << resolver.error().message;
  const std::string path = geo::testing::buildMmdb("presets", geo::testing::cityRows());
  ASSERT_FALSE(path.empty());
  geo::GeoDatabase db(path);
  auto regionOf = [&](const char* ip) {
    return decideRegion(*resolver, &db, *IpAddress::parse(ip)).rules->name;
  };
  EXPECT_EQ(regionOf("2.16.1.1"), "gdpr");            // DE
  EXPECT_EQ(regionOf("81.2.69.142"), "gdpr");         // GB
  EXPECT_EQ(regionOf("214.78.121.1"), "us-privacy");  // US-CA
  EXPECT_EQ(regionOf("216.160.83.56"), "default");    // US-WA: no comprehensive law listed
  EXPECT_EQ(regionOf("175.16.199.1"), "china");
  EXPECT_EQ(regionOf("200.160.2.3"), "brazil");
  EXPECT_EQ(regionOf("24.48.10.10"), "quebec");
  EXPECT_EQ(regionOf("1.128.0.1"), "default");  // AU
  EXPECT_EQ(regionOf("1.2.3.4"), "unknown");
  // unknown = strictest of all presets: china's IP drop wins over every truncation.
  EXPECT_EQ(resolver->unknown().fields.ip, IpRule::Drop);
  EXPECT_EQ(resolver->unknown().fields.location, LocationRule::Country);
  EXPECT_EQ(resolver->unknown().fields.referrer, ReferrerRule::Origin);
}

TEST(RegionPresets, EveryPresetKeepsThePrivacyInvariants) {
  const ConfigPtr c = loadAll();
  ASSERT_TRUE(c);
  auto resolver = geo::RegionResolver::build(*c);
  ASSERT_TRUE(resolver.ok());
  uint64_t seed = 1;
  for (const Region& r : c->regions) {
    SCOPED_TRACE(r.name);
    testing::checkPolicyInvariants(r.fields, seed++, 200);
  }
  SCOPED_TRACE("unknown");
  testing::checkPolicyInvariants(resolver->unknown().fields, seed, 200);
}

}  // namespace
}  // namespace consentry::filters::policy
