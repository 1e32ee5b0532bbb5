// The telemetry chain end to end without sockets: requests as plain structs, events through the
// real pipeline into a real file sink. Includes the privacy property of SPEC §9 over randomized
// requests and beacons.
#include "filters/telemetry_chain.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "config/config_loader.h"
#include "events/pipeline.h"
#include "events/sinks/sink_factory.h"
#include "tests/helpers/simdjson_ok.h"

namespace consentry::filters {
namespace {

using consentry::test_support::ok;

namespace fs = std::filesystem;
constexpr const char* kRegexes = "/usr/share/uap-core/regexes.yaml";
constexpr const char* kChromeUa =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36";

struct Harness {
  fs::path dir;
  config::ConfigPtr config;
  std::unique_ptr<events::EventPipeline> pipeline;
  std::unique_ptr<ChainFactory> factory;
  std::unique_ptr<Chain> chain;

  explicit Harness(const std::string& extraYaml) {
    dir = fs::temp_directory_path() /
          ("csy-chain-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(dir);
    const std::string yaml = R"(
upstreams: [{name: site, servers: [127.0.0.1:1]}]
consent:
  sources:
    - {type: cookie, name: site_consent, format: kv, map: {analytics: analytics, marketing: ads}}
  min_policy_version: 2
  require: [{cookie: age_verified, value: "1"}]
privacy:
  strip_cookies: {analytics: ["_ga", "_ga_*"], marketing: ["_fbp"]}
sinks: [{name: local, type: file, path: )" +
                             (dir / "events.jsonl").string() + ", fsync: 0ms}]\n" + extraYaml;
    auto loaded = config::loadConfigString(yaml, "test.yaml");
    if (!loaded.errors.empty()) ADD_FAILURE() << loaded.errors[0].format();
    config = loaded.config;
    auto p = events::EventPipeline::create(*config, {.workers = 1}, events::makeSink);
    EXPECT_TRUE(p.ok());
    pipeline = std::move(*p);
    pipeline->start();
    factory = std::make_unique<ChainFactory>(pipeline.get());
    auto prepared = factory->prepare(config);
    EXPECT_TRUE(prepared.ok()) << (prepared.ok() ? "" : prepared.error().message);
    chain = factory->make(*config, 0);
  }
  ~Harness() {
    if (pipeline)
      pipeline->flushAndStop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    fs::remove_all(dir);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }

  std::vector<std::string> lines() {
    pipeline->flushAndStop(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    std::vector<std::string> out;
    std::ifstream in(dir / "events.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
};

struct Req {
  std::string method = "GET";
  std::string target = "/pricing?utm=1";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string client = "203.0.113.77";

  RequestInfo info(std::vector<HeaderField>& storage) const {
    storage.clear();
    for (const auto& [n, v] : headers) storage.push_back({n, v});
    RequestInfo r;
    r.method = method;
    r.target = target;
    r.host = "example.com";
    r.scheme = "https";
    r.protocol = "HTTP/1.1";
    r.headers = storage;
    r.peer = *IpAddress::parse(client);
    r.client = r.peer;
    r.time = std::chrono::system_clock::now();
    return r;
  }
};

Req consentedNavigation() {
  Req r;
  r.headers = {{"Host", "example.com"},
               {"User-Agent", kChromeUa},
               {"Accept", "text/html,application/xhtml+xml"},
               {"Accept-Language", "de-DE,de;q=0.9,en;q=0.8"},
               {"Cookie", "age_verified=1; site_consent=analytics%3D1%7Cads%3D0%7Cv%3D3"},
               {"Referer", "https://search.example/q?x=1"}};
  return r;
}

TEST(TelemetryChain, ConsentedNavigationEmitsOnePageview) {
  if (!fs::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  Harness h("");
  std::vector<HeaderField> storage;
  auto ex = h.chain->begin(consentedNavigation().info(storage));
  ASSERT_TRUE(ex);
  EXPECT_FALSE(ex->isLocal());
  std::vector<HeaderField> response = {{"Content-Type", "text/html"},
                                       {"Set-Cookie", "_ga=1; Path=/"},
                                       {"Set-Cookie", "_fbp=2; Path=/"}};
  ResponseEdits edits;
  ex->onResponseHeaders(200, response, edits);
  EXPECT_EQ(edits.removeHeaders, std::vector<size_t>{2});  // marketing refused, analytics granted
  bool visitorCookie = false, acceptCh = false;
  for (const auto& [n, v] : edits.addHeaders) {
    visitorCookie |=
        n == "Set-Cookie" && v.rfind("__csy_vid=", 0) == 0 && v.find("Secure") != std::string::npos;
    acceptCh |= n == "Accept-CH";
  }
  EXPECT_TRUE(visitorCookie);
  EXPECT_TRUE(acceptCh);
  ex->onComplete(200);
  auto lines = h.lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto& line = lines[0];
  EXPECT_NE(line.find("\"type\":\"pageview\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"ip\":\"203.0.113.77\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"os\":{\"name\":\"Windows\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"browser\":{\"name\":\"Chrome\",\"version\":\"131\"}"), std::string::npos)
      << line;
  EXPECT_NE(line.find("\"language\":\"de-DE\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"policy_version\":3"), std::string::npos) << line;
}

TEST(ChainFactory, RetainOnlyForgetsConfigsReplacedByAReload) {
  Harness h("");
  auto reloaded = config::loadConfigString(
      "upstreams: [{name: site, servers: [127.0.0.1:2]}]\nsinks: [{name: local, type: file, "
      "path: " +
          (h.dir / "events.jsonl").string() + "}]\n",
      "reloaded.yaml");
  ASSERT_TRUE(reloaded.errors.empty());
  ASSERT_TRUE(h.factory->prepare(reloaded.config).ok());
  EXPECT_NE(h.factory->make(*h.config, 0), nullptr);
  EXPECT_NE(h.factory->make(*reloaded.config, 0), nullptr);

  h.factory->retainOnly(reloaded.config.get());
  EXPECT_EQ(h.factory->make(*h.config, 0), nullptr);  // its prepared part was released
  EXPECT_NE(h.factory->make(*reloaded.config, 0), nullptr);
  // A chain made before keeps working on what it holds.
  std::vector<HeaderField> storage;
  EXPECT_NE(h.chain->begin(consentedNavigation().info(storage)), nullptr);
}

TEST(TelemetryChain, MissingAgeCookieOrOldPolicyRecordsNothing) {
  if (!fs::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  Harness h("");
  std::vector<HeaderField> storage;
  Req noAge = consentedNavigation();
  noAge.headers[4].second = "site_consent=analytics%3D1%7Cv%3D3";
  Req oldPolicy = consentedNavigation();
  oldPolicy.headers[4].second = "age_verified=1; site_consent=analytics%3D1%7Cv%3D1";
  for (const Req& r : {noAge, oldPolicy}) {
    auto ex = h.chain->begin(r.info(storage));
    ResponseEdits edits;
    std::vector<HeaderField> response = {{"Content-Type", "text/html"}};
    ex->onResponseHeaders(200, response, edits);
    EXPECT_TRUE(edits.addHeaders.empty());
    ex->onComplete(200);
  }
  EXPECT_TRUE(h.lines().empty());
}

TEST(TelemetryChain, WithdrawalExpiresCookieAndEmitsOnlyIdRegionTime) {
  if (!fs::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  Harness h("");
  std::vector<HeaderField> storage;
  Req r = consentedNavigation();
  r.headers[4].second =
      "age_verified=1; site_consent=analytics%3D0%7Cv%3D3; "
      "__csy_vid=0123456789abcdef0123456789abcdef";
  auto ex = h.chain->begin(r.info(storage));
  ResponseEdits edits;
  std::vector<HeaderField> response = {{"Content-Type", "text/html"}};
  ex->onResponseHeaders(200, response, edits);
  ASSERT_EQ(edits.addHeaders.size(), 1u);
  EXPECT_NE(edits.addHeaders[0].second.find("Max-Age=0"), std::string::npos);
  ex->onComplete(200);
  auto lines = h.lines();
  ASSERT_EQ(lines.size(), 1u);
  simdjson::dom::parser parser;
  auto doc = ok(parser.parse(lines[0]));
  std::set<std::string> keys;
  for (auto [k, v] : ok(doc.get_object())) keys.insert(std::string(k));
  EXPECT_EQ(keys, (std::set<std::string>{"schema", "id", "time", "type", "region", "visitor"}));
  EXPECT_EQ(ok(doc["type"].get_string()), "consent.withdrawn");
}

TEST(TelemetryChain, BeaconAndScript) {
  if (!fs::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  Harness h("");
  std::vector<HeaderField> storage;
  Req script;
  script.target = "/__consentry/t.js";
  auto s = h.chain->begin(script.info(storage));
  ASSERT_TRUE(s && s->isLocal());
  auto js = s->localResponse();
  EXPECT_EQ(js.status, 200);
  EXPECT_NE(js.body.find("consentry"), std::string::npos);

  Req beacon = consentedNavigation();
  beacon.method = "POST";
  beacon.target = "/__consentry/collect";
  beacon.headers.emplace_back("Content-Type", "text/plain");
  auto b = h.chain->begin(beacon.info(storage));
  ASSERT_TRUE(b && b->isLocal());
  b->onRequestBody(R"({"name":"pageload","screen":{"width":1920,"height":1080,"dpr":2},
                       "language":"fr-FR","path":"/p?email=a@b.example"})");
  EXPECT_EQ(b->localResponse().status, 204);
  auto bad = h.chain->begin(beacon.info(storage));
  bad->onRequestBody("{nope");
  auto badResponse = bad->localResponse();
  EXPECT_EQ(badResponse.status, 400);
  EXPECT_NE(badResponse.body.find("\"error\""), std::string::npos);
  auto lines = h.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"screen\":{\"width\":1920,\"height\":1080,\"dpr\":2}"),
            std::string::npos)
      << lines[0];
  EXPECT_NE(lines[0].find("\"name\":\"pageload\""), std::string::npos);
  EXPECT_NE(lines[0].find("\"language\":\"fr-FR\""), std::string::npos);
  EXPECT_EQ(lines[0].find("a@b.example"), std::string::npos) << lines[0];
}

// ---- Property (SPEC §9.1, §9.3, §9.5): randomized requests and beacons ----

const char* kUas[] = {kChromeUa,
                      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                      "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                      "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
                      "Googlebot/2.1 (+http://www.google.com/bot.html)",
                      "",
                      "curl/8.0"};

std::string randomConsentCookie(std::mt19937& rng, bool& analytics) {
  analytics = false;
  switch (rng() % 8) {
    case 0:
      return "";
    case 1:
      return "site_consent=garbage%%%";
    case 2:
      return "site_consent=analytics%3D0%7Cads%3D1%7Cv%3D3";
    case 3:
      return "site_consent=analytics%3D1%7Cv%3D1";  // policy too old
    case 4:
      return "site_consent=analytics%3Dyes%7Cv%3D2; other=1";
    default: {
      analytics = true;
      return "site_consent=analytics%3D" + std::string(rng() % 2 ? "1" : "granted") + "%7Cads%3D" +
             std::to_string(rng() % 2) + "%7Cv%3D" + std::to_string(2 + rng() % 3);
    }
  }
}

TEST(TelemetryChainProperty, NoConsentNoEventNoCookieNoAcceptChAndEventsValidate) {
  if (!fs::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  Harness h("telemetry: {record: all}\n");
  std::mt19937 rng(20261129);
  std::vector<HeaderField> storage;
  size_t expectedMin = 0;
  for (int i = 0; i < 10000; ++i) {
    Req r;
    bool analytics = false;
    std::string consentCookie = randomConsentCookie(rng, analytics);
    const bool age = rng() % 4 != 0;
    if (!age) analytics = false;
    // case 4 ("yes" at v=2) is granted too
    if (age && consentCookie.find("analytics%3Dyes%7Cv%3D2") != std::string::npos) analytics = true;
    std::string cookie = consentCookie;
    if (age) cookie += (cookie.empty() ? "" : "; ") + std::string("age_verified=1");
    if (!cookie.empty()) r.headers.emplace_back("Cookie", cookie);
    r.headers.emplace_back("User-Agent", kUas[rng() % 6]);
    if (rng() % 2) r.headers.emplace_back("Accept-Language", "en-GB,en;q=0.7");
    const bool isBeacon = rng() % 3 == 0;
    if (isBeacon) {
      r.method = "POST";
      r.target = "/__consentry/collect";
    } else {
      r.target = "/page/" + std::to_string(rng() % 100) + "?q=" + std::to_string(rng());
    }
    r.client = (rng() % 2) ? "198.51.100." + std::to_string(rng() % 256)
                           : "2001:db8::" + std::to_string(rng() % 999);
    auto ex = h.chain->begin(r.info(storage));
    ASSERT_TRUE(ex);
    if (isBeacon) {
      ex->onRequestBody(R"({"name":"x","screen":{"width":800,"height":600},"props":{"k":"v"}})");
      auto resp = ex->localResponse();
      ASSERT_EQ(resp.status, 204);  // the same whether or not consent exists
      for (const auto& [n, v] : resp.headers) ASSERT_NE(n, "Set-Cookie");
    } else {
      std::vector<HeaderField> response = {
          {"Content-Type", "text/html"}, {"Accept-CH", "Sec-CH-UA-Model"}, {"Set-Cookie", "_ga=1"}};
      ResponseEdits edits;
      ex->onResponseHeaders(200, response, edits);
      std::set<size_t> removed(edits.removeHeaders.begin(), edits.removeHeaders.end());
      if (!analytics) {
        ASSERT_TRUE(removed.count(1) && removed.count(2)) << cookie;
        ASSERT_TRUE(edits.addHeaders.empty()) << cookie;
      }
      ex->onComplete(200);
    }
    if (analytics) ++expectedMin;
  }
  auto lines = h.lines();
  // Bots are flagged, not dropped, by default: every consented request is an event.
  EXPECT_EQ(lines.size(), expectedMin);
  simdjson::dom::parser parser;
  const std::set<std::string> topKeys = {"schema",  "id",       "time",    "type",   "name",
                                         "region",  "location", "consent", "client", "page",
                                         "visitor", "bot",      "props"};
  std::set<std::string> ids;
  for (const auto& line : lines) {
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
    for (auto [k, v] : ok(doc.get_object())) {
      ASSERT_TRUE(topKeys.count(std::string(k))) << k << " in " << line;
      ASSERT_FALSE(v.is_null()) << line;
    }
    ASSERT_EQ(ok(doc["schema"].get_string()), "consentry.event/1");
    ASSERT_TRUE(ok(doc["consent"]["analytics"].get_bool())) << line;
    std::string_view id = ok(doc["id"].get_string());
    ASSERT_EQ(id.size(), 36u);
    ASSERT_EQ(id[14], '7');
    ASSERT_TRUE(ids.insert(std::string(id)).second) << "duplicate id";
  }
}

}  // namespace
}  // namespace consentry::filters
