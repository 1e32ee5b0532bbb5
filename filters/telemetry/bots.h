#pragma once
// Bot detection: uap-core's device family "Spider" plus a short list of tokens that crawlers,
// headless browsers and HTTP libraries put in their User-Agent. What happens to a bot (flag or
// drop) is the config's `telemetry.bots`; this only answers "is it one".

#include <string_view>

#include "config/config.h"

namespace consentry::filters::telemetry {

// Tokens matched case-insensitively anywhere in the UA. "bot" alone would hit the phone brand
// Cubot, so it must end a word ("Googlebot/2.1", "AhrefsBot;").
// Chosen: crawler, spider, crawl, slurp, headless, lighthouse, facebookexternalhit, curl/, wget/,
// python-requests, python-urllib, go-http-client, libwww-perl, scrapy, httpclient, java/,
// phantomjs, puppeteer, playwright; an empty UA is a bot too (browsers always send one).
bool isBotUserAgent(std::string_view ua, std::string_view uapDeviceFamily);

// telemetry.bots: `drop` means a bot's request yields no event at all; `flag` keeps the event
// with "bot": true.
inline bool dropsBotEvent(config::BotMode mode, bool bot) {
  return bot && mode == config::BotMode::Drop;
}

}  // namespace consentry::filters::telemetry
