#include "filters/telemetry/ua_cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

namespace consentry::filters::telemetry {
namespace {

constexpr const char* kRegexes = "/usr/share/uap-core/regexes.yaml";

struct CliRun {
  int code;
  std::string out, err;
};

CliRun run(std::vector<std::string> args, const std::string& input = "",
           const std::string& regexes = kRegexes) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = runUaParse(regexes, static_cast<int>(argv.size()), argv.data(), in, out, err);
  return {code, out.str(), err.str()};
}

class UaCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kRegexes)) GTEST_SKIP() << "uap-core is not installed";
  }
};

TEST_F(UaCliTest, RawParseKeepsFullVersions) {
  auto r =
      run({"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
           "Gecko) Chrome/131.0.0.0 Safari/537.36"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"os":{"name":"Windows","version":"10"},"browser":{"name":"Chrome","version":)"
            R"("131.0.0.0"},"device":{"type":"desktop","family":"Other"}})"
            "\n");
}

TEST_F(UaCliTest, DeviceBrandAndModel) {
  auto r =
      run({"Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/116.0.5845.114 Mobile Safari/537.36"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out, R"({"os":{"name":"Android","version":"13"},"browser":{"name":"Chrome Mobile",)"
                   R"("version":"116.0.5845.114"},"device":{"type":"mobile","family":"Pixel 7",)"
                   R"("brand":"Google","model":"Pixel 7"}})"
                   "\n");
}

TEST_F(UaCliTest, HintsWin) {
  auto r = run({"--hints",
                R"({"Sec-CH-UA-Platform":"\"Windows\"","Sec-CH-UA-Platform-Version":"\"13.0.0\"",)"
                R"("Sec-CH-UA":"\"Microsoft Edge\";v=\"131\", \"Chromium\";v=\"131\""})",
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("os":{"name":"Windows","version":"11"})"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("browser":{"name":"Edge","version":"131"})"), std::string::npos) << r.out;
}

TEST_F(UaCliTest, StdinOneLinePerUa) {
  auto r = run({"-"}, "curl/8.5.0\r\nMozilla/5.0 (compatible; Googlebot/2.1)\nweird \"ua\"\n");
  EXPECT_EQ(r.code, 0);
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_NE(got[0].find(R"("browser":{"name":"curl","version":"8.5.0"})"), std::string::npos)
      << got[0];
  EXPECT_NE(got[0].find(R"("type":"bot")"), std::string::npos);
  EXPECT_NE(got[1].find(R"("browser":{"name":"Googlebot","version":"2.1"})"), std::string::npos)
      << got[1];
  EXPECT_NE(got[1].find(R"("family":"Spider")"), std::string::npos);
  EXPECT_EQ(got[2].find("weird"), std::string::npos);  // the UA itself is never echoed
}

TEST_F(UaCliTest, Errors) {
  EXPECT_EQ(run({}).code, 2);
  EXPECT_EQ(run({"--bogus", "x"}).code, 2);
  EXPECT_EQ(run({"a", "b"}).code, 2);
  EXPECT_EQ(run({"--hints", "{not json", "x"}).code, 1);
  EXPECT_EQ(run({"--hints", R"({"Sec-CH-UA-Mobile":1})", "x"}).code, 1);
  auto missing = run({"x"}, "", "/nonexistent/regexes.yaml");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/regexes.yaml"), std::string::npos);
}

}  // namespace
}  // namespace consentry::filters::telemetry
