#include "filters/telemetry/bots.h"

#include <array>
#include <string>

namespace consentry::filters::telemetry {

namespace {

constexpr std::array<std::string_view, 19> kTokens = {"crawler",
                                                      "spider",
                                                      "crawl",
                                                      "slurp",
                                                      "headless",
                                                      "lighthouse",
                                                      "facebookexternalhit",
                                                      "curl/",
                                                      "wget/",
                                                      "python-requests",
                                                      "python-urllib",
                                                      "go-http-client",
                                                      "libwww-perl",
                                                      "scrapy",
                                                      "httpclient",
                                                      "java/",
                                                      "phantomjs",
                                                      "puppeteer",
                                                      "playwright"};

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z');
}

}  // namespace

bool isBotUserAgent(std::string_view ua, std::string_view uapDeviceFamily) {
  if (uapDeviceFamily == "Spider") return true;
  if (ua.find_first_not_of(" \t") == std::string_view::npos) return true;
  std::string lower(ua);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  for (auto token : kTokens) {
    if (lower.find(token) != std::string::npos) return true;
  }
  for (size_t at = lower.find("bot"); at != std::string::npos; at = lower.find("bot", at + 1)) {
    bool endsWord = at + 3 >= lower.size() || !isLetter(lower[at + 3]);
    bool cubot = at >= 2 && lower.compare(at - 2, 2, "cu") == 0;
    if (endsWord && !cubot) return true;
  }
  return false;
}

}  // namespace consentry::filters::telemetry
