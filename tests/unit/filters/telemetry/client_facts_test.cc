#include "filters/telemetry/client_facts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <vector>

#include "events/event.h"

namespace consentry::filters::telemetry {
namespace {

constexpr const char* kRegexes = "/usr/share/uap-core/regexes.yaml";

constexpr const char* kReducedWindows =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36";
constexpr const char* kReducedMac =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36";
constexpr const char* kReducedAndroid =
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36";
constexpr const char* kFullAndroid =
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/116.0.5845.114 Mobile Safari/537.36";
constexpr const char* kIphone =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
constexpr const char* kIpad =
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1";
constexpr const char* kFirefoxLinux =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
constexpr const char* kFirefoxWin7 =
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:115.0) Gecko/20100101 Firefox/115.0";
constexpr const char* kAndroidTablet =
    "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.230 Safari/537.36";
constexpr const char* kPs5 =
    "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.0 Safari/605.1.15";
constexpr const char* kSmartTv =
    "Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "76.0.3809.146/6.0 TV Safari/537.36";
constexpr const char* kGooglebot =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

class ClientFactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kRegexes)) GTEST_SKIP() << "uap-core is not installed";
    static std::shared_ptr<const UaRegexes> shared = *UaRegexes::loadFile(kRegexes);
    regexes_ = shared;
  }

  ClientFacts facts(std::string_view ua, std::vector<HeaderField> hints = {},
                    UaMode mode = UaMode::Events) {
    UaScratch scratch(*regexes_);
    return describeClient(regexes_->parse(ua, scratch), ua, readClientHints(hints), mode);
  }

  std::shared_ptr<const UaRegexes> regexes_;
};

TEST_F(ClientFactsTest, ReducedWindowsChrome) {
  ClientFacts raw = facts(kReducedWindows, {}, UaMode::Raw);
  EXPECT_EQ(raw.osName, "Windows");
  EXPECT_EQ(raw.osVersion, "10");
  EXPECT_EQ(raw.browserName, "Chrome");
  EXPECT_EQ(raw.browserVersion, "131.0.0.0");

  ClientFacts f = facts(kReducedWindows);
  EXPECT_EQ(f.osName, "Windows");
  EXPECT_FALSE(f.osVersion);  // Windows 10 or 11: unknown
  EXPECT_EQ(f.browserVersion, "131");
  EXPECT_EQ(f.deviceType, DeviceType::Desktop);
  EXPECT_FALSE(f.bot);
}

TEST_F(ClientFactsTest, HintsFillReducedValues) {
  ClientFacts f =
      facts(kReducedWindows,
            {{"Sec-CH-UA", R"("Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24")"},
             {"Sec-CH-UA-Full-Version-List",
              R"("Google Chrome";v="131.0.6778.86", "Chromium";v="131.0.6778.86")"},
             {"Sec-CH-UA-Platform", R"("Windows")"},
             {"Sec-CH-UA-Platform-Version", R"("15.0.0")"},
             {"Sec-CH-UA-Mobile", "?0"}});
  EXPECT_EQ(f.osName, "Windows");
  EXPECT_EQ(f.osVersion, "11");
  EXPECT_EQ(f.browserName, "Chrome");
  EXPECT_EQ(f.browserVersion, "131.0.6778.86");
  EXPECT_EQ(f.deviceType, DeviceType::Desktop);
}

TEST_F(ClientFactsTest, ReducedMacAndFrozenMacOs) {
  ClientFacts f = facts(kReducedMac);
  EXPECT_EQ(f.osName, "Mac OS X");
  EXPECT_FALSE(f.osVersion);
  EXPECT_EQ(f.browserVersion, "131");
  ClientFacts hinted = facts(kReducedMac, {{"Sec-CH-UA-Platform", R"("macOS")"},
                                           {"Sec-CH-UA-Platform-Version", R"("14.5.0")"}});
  EXPECT_EQ(hinted.osName, "Mac OS X");
  EXPECT_EQ(hinted.osVersion, "14.5.0");
}

TEST_F(ClientFactsTest, ReducedAndroidHidesVersionAndModel) {
  ClientFacts f = facts(kReducedAndroid);
  EXPECT_EQ(f.osName, "Android");
  EXPECT_FALSE(f.osVersion);
  EXPECT_FALSE(f.deviceModel);
  EXPECT_EQ(f.browserName, "Chrome Mobile");
  EXPECT_EQ(f.browserVersion, "131");
  EXPECT_EQ(f.deviceType, DeviceType::Mobile);

  ClientFacts hinted = facts(kReducedAndroid, {{"Sec-CH-UA-Platform", R"("Android")"},
                                               {"Sec-CH-UA-Platform-Version", R"("14.0.0")"},
                                               {"Sec-CH-UA-Model", R"("Pixel 8")"},
                                               {"Sec-CH-UA-Mobile", "?1"}});
  EXPECT_EQ(hinted.osVersion, "14.0.0");
  EXPECT_EQ(hinted.deviceModel, "Pixel 8");
  EXPECT_EQ(hinted.deviceType, DeviceType::Mobile);
}

TEST_F(ClientFactsTest, UnreducedValuesStay) {
  ClientFacts f = facts(kFullAndroid);
  EXPECT_EQ(f.osName, "Android");
  EXPECT_EQ(f.osVersion, "13");
  EXPECT_EQ(f.browserVersion, "116.0.5845.114");
  EXPECT_EQ(f.deviceModel, "Pixel 7");
  EXPECT_EQ(f.deviceBrand, "Google");
  EXPECT_EQ(f.deviceType, DeviceType::Mobile);

  ClientFacts win7 = facts(kFirefoxWin7);
  EXPECT_EQ(win7.osName, "Windows");
  EXPECT_EQ(win7.osVersion, "7");
  EXPECT_EQ(win7.browserName, "Firefox");
  EXPECT_EQ(win7.browserVersion, "115.0");
}

TEST_F(ClientFactsTest, DeviceTypes) {
  EXPECT_EQ(facts(kIphone).deviceType, DeviceType::Mobile);
  EXPECT_EQ(facts(kIpad).deviceType, DeviceType::Tablet);
  EXPECT_EQ(facts(kAndroidTablet).deviceType, DeviceType::Tablet);
  EXPECT_EQ(facts(kFirefoxLinux).deviceType, DeviceType::Desktop);
  EXPECT_EQ(facts(kPs5).deviceType, DeviceType::Console);
  EXPECT_EQ(facts(kSmartTv).deviceType, DeviceType::Tv);
  ClientFacts bot = facts(kGooglebot);
  EXPECT_TRUE(bot.bot);
  EXPECT_EQ(bot.deviceType, DeviceType::Bot);
  EXPECT_EQ(facts("something/1.0 (unknown)").deviceType, DeviceType::Other);
  // Hints decide between phone and tablet on Android.
  EXPECT_EQ(
      facts(kFullAndroid, {{"Sec-CH-UA-Mobile", "?0"}, {"Sec-CH-UA-Platform", R"("Android")"}})
          .deviceType,
      DeviceType::Tablet);
}

TEST_F(ClientFactsTest, FillEventLeavesUnknownAbsent) {
  events::Event e;
  fillEvent(facts("something/1.0 (unknown)"), e);
  EXPECT_FALSE(e.osName);
  EXPECT_FALSE(e.browserName);
  EXPECT_FALSE(e.deviceFamily);
  EXPECT_EQ(e.deviceType, "other");
  EXPECT_EQ(e.bot, false);

  events::Event w;
  fillEvent(facts(kReducedWindows), w);
  EXPECT_EQ(w.osName, "Windows");
  EXPECT_FALSE(w.osVersion);
  EXPECT_EQ(w.browserName, "Chrome");
  EXPECT_EQ(w.browserVersion, "131");
  EXPECT_EQ(w.deviceType, "desktop");
}

TEST(JoinVersion, StopsAtFirstAbsentPart) {
  EXPECT_EQ(joinVersion("1", "2", "3", "4"), "1.2.3.4");
  EXPECT_EQ(joinVersion("1", std::nullopt, "3", std::nullopt), "1");
  EXPECT_FALSE(joinVersion(std::nullopt, "2", std::nullopt, std::nullopt));
}

TEST_F(ClientFactsTest, DescriberCachesOnUaAndHints) {
  ClientDescriber d(regexes_, 2);
  std::vector<HeaderField> a = {{"User-Agent", kReducedWindows}};
  std::vector<HeaderField> aHinted = {{"User-Agent", kReducedWindows},
                                      {"sec-ch-ua-platform-version", R"("15.0.0")"},
                                      {"Sec-CH-UA-Platform", R"("Windows")"}};
  EXPECT_FALSE(d.describe(a).osVersion);
  EXPECT_EQ(d.misses(), 1u);
  EXPECT_FALSE(d.describe(a).osVersion);
  EXPECT_EQ(d.misses(), 1u);  // hit
  EXPECT_EQ(d.describe(aHinted).osVersion, "11");
  EXPECT_EQ(d.misses(), 2u);  // hints are part of the key
  EXPECT_EQ(d.describe(std::vector<HeaderField>{{"User-Agent", kIphone}}).osName, "iOS");
  EXPECT_EQ(d.misses(), 3u);
  EXPECT_EQ(d.cacheSize(), 2u);
  d.describe(a);  // evicted by the two newer entries
  EXPECT_EQ(d.misses(), 4u);
}

TEST_F(ClientFactsTest, OversizedInputsAreBounded) {
  ClientDescriber d(regexes_, 8);
  std::string longUa = std::string(kReducedWindows) + std::string(100000, 'x');
  std::string longHint = "\"" + std::string(kMaxHintBytes, 'a') + "\"";
  std::vector<HeaderField> headers = {{"User-Agent", longUa}, {"Sec-CH-UA-Platform", longHint}};
  const ClientFacts& f = d.describe(headers);
  EXPECT_EQ(f.osName, "Windows");  // parsed on the first kMaxUaBytes; the huge hint ignored
  EXPECT_EQ(f.browserName, "Chrome");
  EXPECT_FALSE(readClientHints(headers).platform);
}

}  // namespace
}  // namespace consentry::filters::telemetry
