// Differential guard for the event path: a fixed, varied set of requests (consent formats, user
// agents with and without client hints, PII in paths and referrers, v4/v6/mapped/private
// addresses across the shipped region presets, documents and non-documents, withdrawals) goes
// through decideRequest and the serializer, and every line must equal the golden file
// byte for byte. Only the random parts are pinned: event id, new visitor ids and the time.
// Regenerate deliberately with CONSENTRY_UPDATE_GOLDEN=1 (and review the diff) when the output
// is meant to change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "config/config_loader.h"
#include "events/event_json.h"
#include "filters/request_decider.h"
#include "tests/unit/geo/test_mmdb.h"

namespace consentry::filters {
namespace {

namespace fs = std::filesystem;

constexpr const char* kRegexes = "/usr/share/uap-core/regexes.yaml";

const fs::path& goldenPath() {
  static const fs::path p =
      fs::path(CONSENTRY_SOURCE_DIR) / "tests/unit/filters/testdata/event_golden.txt";
  return p;
}

// Two configs: the demo's consent sources over every shipped region preset with documents only,
// and a second one that records everything, drops bots and has no visitor ids.
std::string configYaml(int which, const std::string& mmdb) {
  std::string yaml = "upstreams: [{name: site, servers: [127.0.0.1:1]}]\ngeo: {database: " + mmdb +
                     "}\n"
                     "consent:\n"
                     "  sources:\n"
                     "    - {type: cookie, name: site_consent, format: kv, map: {analytics: "
                     "analytics, marketing: ads}}\n"
                     "    - {type: onetrust}\n"
                     "    - {type: cookiebot}\n"
                     "  min_policy_version: 1\n"
                     "  require: [{cookie: age_verified, value: \"1\"}]\n";
  if (which == 0) {
    yaml += "telemetry: {record: documents}\n";
  } else {
    yaml += "telemetry: {record: all, bots: drop, visitor_id: none}\n";
  }
  yaml +=
      "regions:\n"
      "  - include: conf/regions/gdpr.yaml\n"
      "  - include: conf/regions/us-privacy.yaml\n"
      "  - include: conf/regions/brazil.yaml\n"
      "  - include: conf/regions/canada.yaml\n"
      "  - include: conf/regions/china.yaml\n"
      "  - {name: open, countries: [AU, JP], fields: {ip: keep, os_version: full, "
      "browser_version: full, language: full, referrer: full, location: subdivision}}\n"
      "  - {name: bare, continents: [OC, AS], fields: {ip: drop, os_version: drop, "
      "browser_version: drop, language: drop, referrer: drop, location: drop, path: drop, "
      "visitor: drop}}\n"
      "  - include: conf/regions/default.yaml\n";
  return yaml;
}

const std::vector<std::string> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "",
    "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/112.0.5615.48 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
};

// Client hints as sets of (name, value); an empty set is a browser that sends none.
const std::vector<std::vector<HeaderField>> kHintSets = {
    {},
    {{"Sec-CH-UA-Platform", "\"Windows\""},
     {"Sec-CH-UA-Platform-Version", "\"15.0.0\""},
     {"Sec-CH-UA-Mobile", "?0"},
     {"Sec-CH-UA-Full-Version-List",
      "\"Google Chrome\";v=\"131.0.6778.86\", \"Chromium\";v=\"131.0.6778.86\", "
      "\"Not_A Brand\";v=\"24.0.0.0\""}},
    {{"Sec-CH-UA-Platform", "\"Android\""},
     {"Sec-CH-UA-Platform-Version", "\"14.0.0\""},
     {"Sec-CH-UA-Mobile", "?1"},
     {"Sec-CH-UA-Model", "\"Pixel 8\""},
     {"sec-ch-ua", "\"Chromium\";v=\"126\", \"Not.A/Brand\";v=\"24\""}},
    {{"Sec-CH-UA-Platform", "\"macOS\""}},
};

const std::vector<std::string> kCookies = {
    "age_verified=1; site_consent=analytics%3D1%7Cads%3D0%7Cv%3D3",
    "age_verified=1; site_consent=analytics%3D1%7Cads%3D1%7Cv%3D2; "
    "__csy_vid=0123456789abcdef0123456789abcdef",
    "site_consent=analytics%3D1%7Cv%3D3",
    "age_verified=1; site_consent=analytics%3D0%7Cv%3D3; "
    "__csy_vid=fedcba9876543210fedcba9876543210",
    "age_verified=1; site_consent=analytics%3D1%7Cv%3D0",
    "age_verified=1; OptanonConsent=isGpcEnabled=0&datestamp=Mon+Nov+02+2026&version=202310.1.0&"
    "groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2CC0004%3A1",
    "age_verified=1; OptanonConsent=groups=C0001%3A1%2CC0002%3A0; "
    "__csy_vid=00000000000000000000000000000001",
    "age_verified=1; CookieConsent={stamp:%27abc%27%2Cnecessary:true%2Cpreferences:true%2C"
    "statistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:1}",
    "age_verified=1; site_consent=analytics%3D1%7Cv%3D3; __csy_vid=NOT-A-VALID-ID",
    "",
};

const std::vector<std::string> kTargets = {
    "/",
    "/products/42?utm_source=news",
    "/u/jane.doe@example.com/profile",
    "/search?q=call+%2B49+30+1234567&email=a%40b.com",
    "/pay?card=4111111111111111&amount=12.50",
    "/iban/DE89370400440532013000",
    "/t?token=abc&x=1#/login?email=x@y.org",
    "/orders/2024-01-15/12345",
    "/api?jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX2FiY2RlZg",
    "/ip/192.168.1.1/x",
    "http://example.com/abs?x=1",
    "/caf%C3%A9/%E2%82%AC?q=%E2%9C%93",
    "/bad\xff\xfe-utf8",
    "/quote\"back\\slash",
    "/ctl\x01\x1f",
    "/a%2540b.com/x",
    "/very/long/path/segment/with/many/parts/and/some/more/to/make/it/longer/than/usual?"
    "page=3&sort=desc&filter=shoes&size=42",
};

const std::vector<std::string> kReferrers = {
    "",
    "https://search.example/?q=shoes",
    "HTTPS://User:Pass@WWW.Example.COM:8443/path?email=a@b.com#frag",
    "android-app://com.google.android.gm/",
    "not a url",
    "https://shop.example/cart?phone=%2B4930123456",
    "http://[2001:db8::1]:8080/x",
    "https://ref.example/u/john.smith@mail.example",
};

const std::vector<std::string> kLanguages = {
    "de-DE,de;q=0.9", "en-US,en;q=0.8", "fr", "", "*", "zh-Hant-TW;q=0.7, en;q=0.9",
    "pt-BR",          "EN-gb"};

std::vector<std::string> addresses() {
  std::vector<std::string> out;
  for (const auto& row : geo::testing::cityRows()) out.push_back(row.probe);
  for (const auto& gap : geo::testing::gapAddresses()) out.push_back(gap);
  out.insert(out.end(), {"10.0.0.1", "::ffff:81.2.69.142", "::1", "192.168.7.7"});
  return out;
}

struct Generated {
  std::vector<HeaderField> headers;
  std::string method, target, host;
  IpAddress client;
};

template <typename T>
const T& pick(std::mt19937& rng, const std::vector<T>& v) {
  return v[rng() % v.size()];
}

Generated generate(std::mt19937& rng, const std::vector<std::string>& ips) {
  Generated g;
  static const std::vector<std::string> kHosts = {"example.com", "Shop.Example.COM", ""};
  const std::string& host = pick(rng, kHosts);
  g.host = host;
  if (!host.empty()) g.headers.push_back({"Host", host});
  const std::string& ua = pick(rng, kUserAgents);
  if (!ua.empty()) g.headers.push_back({"User-Agent", ua});
  for (const auto& h : pick(rng, kHintSets)) g.headers.push_back(h);
  switch (rng() % 4) {
    case 0:
      g.headers.push_back({"Accept", "text/html,application/xhtml+xml"});
      break;
    case 1:
      g.headers.push_back({"Sec-Fetch-Dest", "document"});
      break;
    case 2:
      g.headers.push_back({"Accept", "application/json"});
      break;
    default:
      g.headers.push_back({"Sec-Fetch-Dest", "image"});
      g.headers.push_back({"Accept", "text/html"});
      break;
  }
  const std::string& lang = pick(rng, kLanguages);
  if (!lang.empty()) g.headers.push_back({"Accept-Language", lang});
  const std::string& cookie = pick(rng, kCookies);
  if (!cookie.empty()) g.headers.push_back({"Cookie", cookie});
  const std::string& referrer = pick(rng, kReferrers);
  if (!referrer.empty()) g.headers.push_back({"Referer", referrer});
  if (rng() % 8 == 0) g.headers.push_back({"Sec-GPC", "1"});
  g.method = rng() % 6 == 0 ? "POST" : "GET";
  g.target = pick(rng, kTargets);
  g.client = *IpAddress::parse(pick(rng, ips));
  return g;
}

std::vector<std::string> runAll() {
  const std::string mmdb = geo::testing::buildMmdb("event-golden", geo::testing::cityRows());
  EXPECT_FALSE(mmdb.empty());
  const std::vector<std::string> ips = addresses();
  // 2026-11-02T10:11:12.345Z: pinned so that times and TCF/consent ages never move.
  const auto time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1793614272345));
  std::vector<std::string> lines;
  for (int which = 0; which < 2; ++which) {
    auto loaded = config::loadConfigString(
        configYaml(which, mmdb), (fs::path(CONSENTRY_SOURCE_DIR) / "golden-test.yaml").string());
    EXPECT_TRUE(loaded.config);
    if (!loaded.config) return lines;
    auto shared = buildChainShared(loaded.config, nullptr, nullptr);
    EXPECT_TRUE(shared.ok());
    if (!shared.ok()) return lines;
    WorkerState worker(**shared);
    std::mt19937 rng(20261129 + which);
    for (int i = 0; i < 600; ++i) {
      Generated g = generate(rng, ips);
      RequestInfo request;
      request.method = g.method;
      request.target = g.target;
      request.host = g.host;
      request.scheme = "https";
      request.headers = g.headers;
      request.peer = g.client;
      request.client = g.client;
      request.time = time;
      Decision d = decideRequest(**shared, worker, request);
      std::string line = std::to_string(which) + " " + std::to_string(i) + " " + d.reason + " " +
                         std::to_string(static_cast<int>(d.visitor)) + " " +
                         (d.addAcceptCh ? "ch" : "-") + " " +
                         (d.region != nullptr ? d.region->name : std::string("-")) + " ";
      if (d.event) {
        d.event->id = "00000000-0000-7000-8000-000000000000";
        if (d.visitor == VisitorAction::Set && d.event->visitor) d.event->visitor = "new-visitor";
        events::appendEventJson(*d.event, line);
      } else {
        line += "-";
      }
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

TEST(EventGolden, SameRequestsGiveByteIdenticalEvents) {
  if (!fs::exists(kRegexes)) GTEST_SKIP() << "uap-core not installed";
  const std::vector<std::string> lines = runAll();
  ASSERT_EQ(lines.size(), 1200u);
  if (std::getenv("CONSENTRY_UPDATE_GOLDEN") != nullptr) {
    fs::create_directories(goldenPath().parent_path());
    std::ofstream out(goldenPath(), std::ios::binary);
    for (const auto& l : lines) out << l << '\n';
    GTEST_SKIP() << "golden file rewritten: " << goldenPath();
  }
  std::ifstream in(goldenPath(), std::ios::binary);
  ASSERT_TRUE(in) << goldenPath();
  std::string expected;
  size_t n = 0, events = 0;
  for (; std::getline(in, expected); ++n) {
    ASSERT_LT(n, lines.size());
    ASSERT_EQ(lines[n], expected) << "line " << n + 1;
    if (expected.back() == '}') ++events;
  }
  EXPECT_EQ(n, lines.size());
  // The set must keep exercising the serializer, not only the refusals.
  EXPECT_GT(events, 300u);
}

}  // namespace
}  // namespace consentry::filters
