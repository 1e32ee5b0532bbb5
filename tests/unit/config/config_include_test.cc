// `regions: - include: FILE`: paths relative to the including file, errors under the included
// file's own name.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/config_loader.h"

namespace consentry::config {
namespace {

namespace fs = std::filesystem;

class ConfigInclude : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("csy_config_include_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "regions");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& rel, const std::string& text) {
    fs::path p = dir_ / rel;
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
};

constexpr const char* kUpstream = "upstreams: [{name: site, servers: ['127.0.0.1:8081']}]\n";

std::string errorsOf(const LoadResult& r) {
  std::string out;
  for (const ConfigError& e : r.errors) out += e.format() + "\n";
  return out;
}

TEST_F(ConfigInclude, SingleRegionAndListOfRegions) {
  write("regions/gdpr.yaml",
        "name: eea\ncountries: [DE, FR]\nfields: {ip: {truncate: {v4: 24, v6: 48}}}\n");
  write("regions/us.yaml",
        "- {name: us-ca, subdivisions: [US-CA]}\n- {name: us, countries: [US]}\n");
  const std::string main = write("main.yaml", std::string(kUpstream) +
                                                  "regions:\n"
                                                  "  - include: regions/gdpr.yaml\n"
                                                  "  - include: regions/us.yaml\n"
                                                  "  - {name: default}\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_TRUE(r.config) << errorsOf(r);
  ASSERT_EQ(r.config->regions.size(), 4u);
  EXPECT_EQ(r.config->regions[0].name, "eea");
  EXPECT_EQ(r.config->regions[0].fields.ipV4Bits, 24);
  EXPECT_EQ(r.config->regions[1].name, "us-ca");
  EXPECT_EQ(r.config->regions[2].countries, std::vector<std::string>{"US"});
  EXPECT_EQ(r.config->regions[3].name, "default");
}

TEST_F(ConfigInclude, ErrorsCarryTheIncludedFileName) {
  const std::string inc = write("regions/bad.yaml", "name: eea\ncountries: [DE]\ncolour: blue\n");
  const std::string main =
      write("main.yaml", std::string(kUpstream) + "regions:\n  - include: regions/bad.yaml\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_EQ(r.errors.size(), 1u) << errorsOf(r);
  EXPECT_EQ(r.errors[0].format(), inc + ":3:1: unknown key 'colour' in region");
}

TEST_F(ConfigInclude, ErrorInListOfIncludedRegions) {
  const std::string inc = write(
      "regions/list.yaml", "- name: a\n  countries: [DE]\n- name: b\n  countries: [Deutschland]\n");
  const std::string main =
      write("main.yaml", std::string(kUpstream) + "regions:\n  - include: regions/list.yaml\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_EQ(r.errors.size(), 1u) << errorsOf(r);
  EXPECT_EQ(r.errors[0].format(),
            inc +
                ":4:15: regions[1].countries[0]: 'Deutschland' is not an ISO 3166-1 alpha-2 "
                "country code");
}

TEST_F(ConfigInclude, MissingFileIsReportedAtTheInclude) {
  const std::string main =
      write("main.yaml", std::string(kUpstream) + "regions:\n  - include: regions/nope.yaml\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].format(), main + ":3:14: regions[0].include: cannot read '" +
                                      (dir_ / "regions/nope.yaml").string() + "'");
}

TEST_F(ConfigInclude, SyntaxErrorInIncludedFile) {
  const std::string inc = write("regions/broken.yaml", "name: eea\ncountries: [DE\n");
  const std::string main =
      write("main.yaml", std::string(kUpstream) + "regions:\n  - include: regions/broken.yaml\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, inc);
  EXPECT_NE(r.errors[0].message.find("YAML syntax error"), std::string::npos);
}

TEST_F(ConfigInclude, NestedIncludesResolveRelativeToTheirOwnFile) {
  write("regions/inner.yaml", "{name: inner, countries: [AT]}\n");
  write("regions/outer.yaml", "- include: inner.yaml\n- {name: outer, countries: [CH]}\n");
  const std::string main =
      write("main.yaml", std::string(kUpstream) + "regions:\n  - include: regions/outer.yaml\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_TRUE(r.config) << errorsOf(r);
  ASSERT_EQ(r.config->regions.size(), 2u);
  EXPECT_EQ(r.config->regions[0].name, "inner");
  EXPECT_EQ(r.config->regions[1].name, "outer");
}

TEST_F(ConfigInclude, IncludeCycleIsAnErrorNotAHang) {
  write("regions/a.yaml", "- include: b.yaml\n");
  write("regions/b.yaml", "- include: a.yaml\n");
  const std::string main =
      write("main.yaml", std::string(kUpstream) + "regions:\n  - include: regions/a.yaml\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_FALSE(r.config);
  EXPECT_NE(errorsOf(r).find("includes nested too deeply"), std::string::npos) << errorsOf(r);
}

TEST_F(ConfigInclude, DuplicateNameAcrossFilesPointsAtBoth) {
  const std::string inc = write("regions/eea.yaml", "name: eea\ncountries: [DE]\n");
  const std::string main = write("main.yaml", std::string(kUpstream) +
                                                  "regions:\n  - include: regions/eea.yaml\n"
                                                  "  - {name: eea, countries: [FR]}\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_EQ(r.errors.size(), 1u) << errorsOf(r);
  EXPECT_EQ(r.errors[0].format(),
            main + ":4:12: duplicate region name 'eea' (first defined at " + inc + ":1)");
}

TEST_F(ConfigInclude, ExtraKeysBesideIncludeAreUnknown) {
  write("regions/eea.yaml", "name: eea\ncountries: [DE]\n");
  const std::string main = write(
      "main.yaml", std::string(kUpstream) + "regions:\n  - {include: regions/eea.yaml, name: x}\n");
  LoadResult r = loadConfigFile(main);
  ASSERT_EQ(r.errors.size(), 1u) << errorsOf(r);
  EXPECT_EQ(r.errors[0].format(), main + ":3:33: unknown key 'name' in regions[0]");
}

}  // namespace
}  // namespace consentry::config
