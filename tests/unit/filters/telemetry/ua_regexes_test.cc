#include "filters/telemetry/ua_regexes.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

namespace consentry::filters::telemetry {
namespace {

constexpr const char* kUapDir = "/usr/share/uap-core";

std::shared_ptr<const UaRegexes> systemRegexes() {
  static std::shared_ptr<const UaRegexes> cached = [] {
    auto r = UaRegexes::loadFile(std::string(kUapDir) + "/regexes.yaml");
    return r ? *r : nullptr;
  }();
  return cached;
}

#define REQUIRE_UAP()                                                     \
  if (!std::filesystem::exists(std::string(kUapDir) + "/regexes.yaml")) { \
    GTEST_SKIP() << "uap-core is not installed";                          \
  }                                                                       \
  ASSERT_NE(systemRegexes(), nullptr)

std::optional<std::string> expected(const YAML::Node& c, const char* key) {
  const YAML::Node n = c[key];
  if (!n || n.IsNull() || n.Scalar().empty()) return std::nullopt;
  return n.Scalar();
}

std::string show(const std::optional<std::string>& s) {
  return s ? "'" + *s + "'" : "null";
}

// Runs one uap-core test file; returns the pass rate and prints the first failures.
template <typename Check>
double passRate(const char* file, Check check) {
  YAML::Node doc = YAML::LoadFile(std::string(kUapDir) + "/tests/" + file);
  size_t total = 0, passed = 0, shown = 0;
  for (const auto& c : doc["test_cases"]) {
    ++total;
    std::string failure = check(c);
    if (failure.empty()) {
      ++passed;
    } else if (shown++ < 10) {
      std::printf("  FAIL %s\n", failure.c_str());
    }
  }
  double rate = total ? 100.0 * static_cast<double>(passed) / static_cast<double>(total) : 0;
  std::printf("%s: %zu/%zu passed (%.2f %%)\n", file, passed, total, rate);
  return rate;
}

TEST(UaRegexesSuite, UserAgentCases) {
  REQUIRE_UAP();
  UaScratch scratch(*systemRegexes());
  double rate = passRate("test_ua.yaml", [&](const YAML::Node& c) -> std::string {
    std::string ua = c["user_agent_string"].Scalar();
    RawUserAgent got = systemRegexes()->parseUserAgent(ua, scratch);
    std::string wantFamily = c["family"].Scalar();
    if (got.family != wantFamily || got.major != expected(c, "major") ||
        got.minor != expected(c, "minor") || got.patch != expected(c, "patch")) {
      return ua + " -> " + got.family + " " + show(got.major) + " " + show(got.minor) + " " +
             show(got.patch) + " want " + wantFamily + " " + show(expected(c, "major")) + " " +
             show(expected(c, "minor")) + " " + show(expected(c, "patch"));
    }
    return "";
  });
  EXPECT_GE(rate, 99.0);
}

TEST(UaRegexesSuite, OsCases) {
  REQUIRE_UAP();
  UaScratch scratch(*systemRegexes());
  double rate = passRate("test_os.yaml", [&](const YAML::Node& c) -> std::string {
    std::string ua = c["user_agent_string"].Scalar();
    RawOs got = systemRegexes()->parseOs(ua, scratch);
    if (got.family != c["family"].Scalar() || got.major != expected(c, "major") ||
        got.minor != expected(c, "minor") || got.patch != expected(c, "patch") ||
        got.patchMinor != expected(c, "patch_minor")) {
      return ua + " -> " + got.family + " " + show(got.major) + " " + show(got.minor) + " " +
             show(got.patch) + " " + show(got.patchMinor);
    }
    return "";
  });
  EXPECT_GE(rate, 99.0);
}

TEST(UaRegexesSuite, DeviceCases) {
  REQUIRE_UAP();
  UaScratch scratch(*systemRegexes());
  double rate = passRate("test_device.yaml", [&](const YAML::Node& c) -> std::string {
    std::string ua = c["user_agent_string"].Scalar();
    RawDevice got = systemRegexes()->parseDevice(ua, scratch);
    if (got.family != c["family"].Scalar() || got.brand != expected(c, "brand") ||
        got.model != expected(c, "model")) {
      return ua + " -> " + got.family + " " + show(got.brand) + " " + show(got.model);
    }
    return "";
  });
  EXPECT_GE(rate, 99.0);
}

// The prefilter must never change an answer: compare with the plain regex walk on every suite UA.
TEST(UaRegexesSuite, PrefilterAgreesWithPlainWalk) {
  REQUIRE_UAP();
  auto plain = UaRegexes::loadFile(std::string(kUapDir) + "/regexes.yaml", false);
  ASSERT_TRUE(plain);
  UaScratch a(*systemRegexes()), b(**plain);
  size_t checked = 0;
  for (const char* file : {"test_ua.yaml", "test_os.yaml"}) {
    YAML::Node doc = YAML::LoadFile(std::string(kUapDir) + "/tests/" + file);
    for (const auto& c : doc["test_cases"]) {
      std::string ua = c["user_agent_string"].Scalar();
      RawParse x = systemRegexes()->parse(ua, a);
      RawParse y = (*plain)->parse(ua, b);
      ASSERT_EQ(x.ua.family, y.ua.family) << ua;
      ASSERT_EQ(x.ua.major, y.ua.major) << ua;
      ASSERT_EQ(x.os.family, y.os.family) << ua;
      ASSERT_EQ(x.os.major, y.os.major) << ua;
      ASSERT_EQ(x.device.family, y.device.family) << ua;
      ASSERT_EQ(x.device.model, y.device.model) << ua;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
  EXPECT_GT(systemRegexes()->prefilteredCount(), systemRegexes()->ruleCount() / 2);
}

TEST(UaRegexes, SubstitutionAndEmptyMeansAbsent) {
  auto r = UaRegexes::loadString(R"(
user_agent_parsers:
  - regex: '(Foo)Bar/(\d+)\.(\d+)'
    family_replacement: '$1 Browser'
  - regex: 'Baz/(\d+)'
    family_replacement: 'Baz'
    v1_replacement: ' '
os_parsers:
  - regex: 'OS (\d+)'
    os_replacement: 'MyOS'
    os_v1_replacement: '$1'
device_parsers:
  - regex: 'dev-(\w+)-(\w*)'
    regex_flag: 'i'
    device_replacement: '$1 $2'
    brand_replacement: 'Acme'
    model_replacement: '$2'
)");
  ASSERT_TRUE(r) << r.error().message;
  UaScratch s(**r);
  RawParse p = (*r)->parse("FooBar/12.3 OS 7 DEV-x-", s);
  EXPECT_EQ(p.ua.family, "Foo Browser");
  EXPECT_EQ(p.ua.major, "12");
  EXPECT_EQ(p.ua.minor, "3");
  EXPECT_FALSE(p.ua.patch);
  EXPECT_EQ(p.os.family, "MyOS");
  EXPECT_EQ(p.os.major, "7");
  EXPECT_EQ(p.device.family, "x");  // "$1 $2" trimmed
  EXPECT_EQ(p.device.brand, "Acme");
  EXPECT_FALSE(p.device.model);  // empty -> absent
  RawParse q = (*r)->parse("Baz/3", s);
  EXPECT_EQ(q.ua.family, "Baz");
  EXPECT_FALSE(q.ua.major);
  RawParse none = (*r)->parse("nothing", s);
  EXPECT_EQ(none.ua.family, "Other");
  EXPECT_EQ(none.os.family, "Other");
  EXPECT_EQ(none.device.family, "Other");
}

TEST(UaRegexes, ReportsErrors) {
  EXPECT_FALSE(UaRegexes::loadFile("/nonexistent/regexes.yaml"));
  auto bad = UaRegexes::loadString("user_agent_parsers:\n  - regex: '(unclosed'\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("bad regex"), std::string::npos);
  EXPECT_FALSE(UaRegexes::loadString("user_agent_parsers: [}"));
  EXPECT_FALSE(UaRegexes::loadString("foo: 1"));
}

}  // namespace
}  // namespace consentry::filters::telemetry
