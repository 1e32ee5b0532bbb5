// decideRequest on one worker across requests: per-worker caches must never leak one request's
// answer into the next.
#include "filters/request_decider.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/config_loader.h"

namespace consentry::filters {
namespace {

constexpr const char* kRegexes = "/usr/share/uap-core/regexes.yaml";

std::shared_ptr<const ChainShared> makeShared() {
  auto loaded = config::loadConfigString(R"(
upstreams: [{name: site, servers: [127.0.0.1:1]}]
consent:
  sources: [{type: cookie, name: site_consent, format: kv, map: {analytics: analytics}}]
telemetry: {record: all}
)",
                                         "decider.yaml");
  EXPECT_TRUE(loaded.config);
  auto shared = buildChainShared(loaded.config, nullptr, nullptr);
  EXPECT_TRUE(shared.ok());
  return *shared;
}

std::optional<std::string> languageOf(const ChainShared& shared, WorkerState& worker,
                                      std::string_view acceptLanguage) {
  std::vector<HeaderField> headers = {{"User-Agent", "curl/8.0"},
                                      {"Cookie", "site_consent=analytics%3D1"}};
  if (!acceptLanguage.empty()) headers.push_back({"Accept-Language", acceptLanguage});
  RequestInfo request;
  request.method = "GET";
  request.target = "/";
  request.host = "example.com";
  request.scheme = "https";
  request.headers = headers;
  request.peer = *IpAddress::parse("192.0.2.1");
  request.client = request.peer;
  request.time = std::chrono::system_clock::now();
  Decision d = decideRequest(shared, worker, request);
  EXPECT_TRUE(d.event) << d.reason;
  return d.event ? d.event->language : std::nullopt;
}

TEST(RequestDecider, LanguageFollowsEachRequestOnOneWorker) {
  if (!std::filesystem::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  auto shared = makeShared();
  WorkerState worker(*shared);
  EXPECT_EQ(languageOf(*shared, worker, "de-de,de;q=0.9"), "de-DE");
  EXPECT_EQ(languageOf(*shared, worker, "de-de,de;q=0.9"), "de-DE");
  EXPECT_EQ(languageOf(*shared, worker, "fr;q=0.5,en-gb"), "en-GB");
  EXPECT_EQ(languageOf(*shared, worker, ""), std::nullopt);
  EXPECT_EQ(languageOf(*shared, worker, "*"), std::nullopt);
  EXPECT_EQ(languageOf(*shared, worker, "de-de,de;q=0.9"), "de-DE");
}

}  // namespace
}  // namespace consentry::filters
