#include "filters/telemetry/bots.h"

#include <gtest/gtest.h>

namespace consentry::filters::telemetry {
namespace {

TEST(Bots, KnownCrawlersAndTools) {
  for (const char* ua :
       {"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/120.0.0.0 Safari/537.36",
        "curl/8.5.0", "Wget/1.21.3", "python-requests/2.31.0", "Go-http-client/1.1",
        "facebookexternalhit/1.1", "Mozilla/5.0 (compatible; Yahoo! Slurp)", "", "   "}) {
    EXPECT_TRUE(isBotUserAgent(ua, "Other")) << ua;
  }
  EXPECT_TRUE(isBotUserAgent("SomethingUnusual/1.0", "Spider"));
}

TEST(Bots, BrowsersAreNot) {
  for (const char* ua :
       {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.6099.144 Mobile Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 12; Bottle X) Chrome/120.0.0.0 Mobile Safari/537.36"}) {
    EXPECT_FALSE(isBotUserAgent(ua, "Other")) << ua;
  }
}

TEST(Bots, ModeDecidesDrop) {
  EXPECT_TRUE(dropsBotEvent(config::BotMode::Drop, true));
  EXPECT_FALSE(dropsBotEvent(config::BotMode::Flag, true));
  EXPECT_FALSE(dropsBotEvent(config::BotMode::Drop, false));
}

}  // namespace
}  // namespace consentry::filters::telemetry
