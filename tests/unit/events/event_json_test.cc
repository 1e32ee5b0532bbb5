#include "events/event_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <random>

#include "random_event.h"
#include "tests/helpers/simdjson_ok.h"

namespace consentry::events {
namespace {

using consentry::test_support::ok;

using namespace std::chrono;
namespace dom = simdjson::dom;

std::string toJson(const Event& e) {
  std::string out;
  appendEventJson(e, out);
  return out;
}

// A full event shaped like the SPEC §5 example.
Event specEvent() {
  Event e;
  e.type = EventType::Pageview;
  e.id = "01937a3c-0000-7000-8000-000000000001";
  e.time = system_clock::time_point(milliseconds(1'795'914'123'456LL));  // 2026-11-29T01:02:03.456Z
  e.region = "eea";
  e.country = "DE";
  e.subdivision = "DE-BE";
  e.consent = ConsentInfo{true, false, false, "tcf", 3};
  e.ip = IpAddress::parse("203.0.113.0");
  e.osName = "Windows";
  e.osVersion = "10";
  e.browserName = "Chrome";
  e.browserVersion = "131";
  e.deviceType = "desktop";
  e.language = "de";
  e.screen = Screen{1920, 1080, 1.0};
  e.host = "example.com";
  e.path = "/pricing";
  e.referrer = "https://search.example";
  e.visitor = "v1";
  e.bot = false;
  e.props.emplace();
  return e;
}

TEST(EventJson, SpecExampleExactly) {
  EXPECT_EQ(toJson(specEvent()),
            R"({"schema":"consentry.event/1","id":"01937a3c-0000-7000-8000-000000000001",)"
            R"("time":"2026-11-29T01:02:03.456Z","type":"pageview","region":"eea",)"
            R"("location":{"country":"DE","subdivision":"DE-BE"},)"
            R"("consent":{"analytics":true,"marketing":false,"functional":false,"source":"tcf",)"
            R"("policy_version":3},"client":{"ip":"203.0.113.0","os":{"name":"Windows",)"
            R"("version":"10"},"browser":{"name":"Chrome","version":"131"},)"
            R"("device":{"type":"desktop"},"language":"de","screen":{"width":1920,)"
            R"("height":1080,"dpr":1}},"page":{"host":"example.com","path":"/pricing",)"
            R"("referrer":"https://search.example"},"visitor":"v1","bot":false,"props":{}})");
}

TEST(EventJson, MinimalEventOmitsEverythingAbsent) {
  Event e;
  e.id = "x";
  e.time = system_clock::time_point(milliseconds(0));
  EXPECT_EQ(toJson(e),
            R"({"schema":"consentry.event/1","id":"x","time":"1970-01-01T00:00:00.000Z",)"
            R"("type":"pageview","region":"default"})");
}

TEST(EventJson, WithdrawnCarriesOnlyWhoWhereWhen) {
  Event e = specEvent();
  e.type = EventType::ConsentWithdrawn;
  e.name = "ignored";
  EXPECT_EQ(toJson(e),
            R"({"schema":"consentry.event/1","id":"01937a3c-0000-7000-8000-000000000001",)"
            R"("time":"2026-11-29T01:02:03.456Z","type":"consent.withdrawn",)"
            R"("region":"eea","visitor":"v1"})");
}

TEST(EventJson, BeaconCarriesNameAndProps) {
  Event e = specEvent();
  e.type = EventType::Beacon;
  e.name = "signup";
  e.props = {{"plan", std::string("pro")}, {"seats", 3.0}, {"ratio", 0.1}, {"trial", true},
             {"nan", std::nan("")},        {"big", 1e21}};
  dom::parser parser;
  std::string json = toJson(e);
  dom::element doc = ok(parser.parse(json));
  EXPECT_EQ(ok(doc["name"].get_string()), "signup");
  EXPECT_EQ(ok(doc["props"]["plan"].get_string()), "pro");
  EXPECT_EQ(ok(doc["props"]["seats"].get_double()), 3.0);
  EXPECT_EQ(ok(doc["props"]["ratio"].get_double()), 0.1);  // shortest form round-trips
  EXPECT_TRUE(ok(doc["props"]["trial"].get_bool()));
  EXPECT_EQ(doc["props"]["nan"].error(), simdjson::NO_SUCH_FIELD);  // not representable: absent
  EXPECT_EQ(ok(doc["props"]["big"].get_double()), 1e21);
  EXPECT_NE(json.find(R"("seats":3,)"), std::string::npos);
  EXPECT_NE(json.find(R"("ratio":0.1,)"), std::string::npos);
}

TEST(EventJson, IsoTimes) {
  auto at = [](int64_t ms) {
    std::string out;
    appendIsoTime(system_clock::time_point(milliseconds(ms)), out);
    return out;
  };
  EXPECT_EQ(at(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(at(951'782'400'000LL), "2000-02-29T00:00:00.000Z");  // leap day of a 400-year leap
  EXPECT_EQ(at(951'868'799'999LL), "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(at(4'107'542'400'000LL), "2100-03-01T00:00:00.000Z");  // 2100 is not leap
  EXPECT_EQ(at(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(at(7'258'118'399'999LL), "2199-12-31T23:59:59.999Z");
  // Against the C library for many instants.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    // system_clock counts nanoseconds in 64 bits: it ends in 2262.
    int64_t ms = static_cast<int64_t>(rng() % 9'000'000'000'000ULL);
    time_t secs = static_cast<time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char expect[96];
    snprintf(expect, sizeof expect, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
    ASSERT_EQ(at(ms), expect) << ms;
  }
}

std::string isoByLibc(int64_t ms) {
  const int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto secs = static_cast<time_t>(second);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[96];
  snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms - second * 1000));
  return text;
}

// The writer reuses the text of the previous time of the thread up to the seconds when the
// second is the same: consecutive times across every kind of boundary (second, minute, hour,
// day, month, year, leap day, before the epoch), forwards, backwards and alternating between two
// seconds, each come out as the C library formats them.
TEST(EventJson, IsoTimesAcrossBoundariesReuseNothingStale) {
  auto at = [](int64_t ms) {
    std::string out;
    appendIsoTime(system_clock::time_point(milliseconds(ms)), out);
    return out;
  };
  const int64_t boundaries[] = {
      0,                    // 1970-01-01T00:00:00
      1'795'914'124'000LL,  // a second: 2026-11-29T01:02:04
      1'795'914'180'000LL,  // a minute: 01:03:00
      1'795'917'600'000LL,  // an hour: 02:00:00
      1'795'996'800'000LL,  // a day: 2026-11-30T00:00:00
      1'796'083'200'000LL,  // a month: 2026-12-01
      1'798'761'600'000LL,  // a year: 2027-01-01
      1'709'164'800'000LL,  // leap day: 2024-02-29T00:00:00
      1'709'251'200'000LL,  // after a leap day: 2024-03-01
      951'868'800'000LL,    // 2000-03-01 after 2000-02-29 (a 400-year leap)
      4'107'542'400'000LL,  // 2100-03-01 after 2100-02-28 (no leap day)
  };
  for (const int64_t b : boundaries) {
    for (int64_t ms = b - 1500; ms <= b + 1500; ms += 7) ASSERT_EQ(at(ms), isoByLibc(ms)) << ms;
    for (int64_t ms = b + 1500; ms >= b - 1500; ms -= 13) ASSERT_EQ(at(ms), isoByLibc(ms)) << ms;
    for (int k = 0; k < 8; ++k) {
      const int64_t ms = k % 2 == 0 ? b - 1 - k : b + k;
      ASSERT_EQ(at(ms), isoByLibc(ms)) << ms;
    }
  }
  // The same millisecond of the same second of different days and years.
  for (int64_t day = 0; day < 3 * 366; day += 1) {
    const int64_t ms = 1'700'000'000'123LL + day * 86'400'000LL;
    ASSERT_EQ(at(ms), isoByLibc(ms)) << ms;
  }
}

std::string jsonString(std::string_view s) {
  std::string out;
  appendJsonString(s, out);
  return out;
}

TEST(EventJson, EscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string in(1, static_cast<char>(c));
    std::string out = jsonString(in);
    for (char ch : out) EXPECT_GE(static_cast<unsigned char>(ch), 0x20) << c;
    dom::parser parser;
    std::string doc = "[" + out + "]";
    dom::element el = ok(parser.parse(doc));
    EXPECT_EQ(ok(el.at(0).get_string()), in) << c;
  }
  EXPECT_EQ(jsonString("a\"b\\c\n\t\r\b\f\x01\x1f"), R"("a\"b\\c\n\t\r\b\f\u0001\u001f")");
  EXPECT_EQ(jsonString("\x7f/"), "\"\x7f/\"");  // DEL and '/' need no escape
}

// Short strings are copied with overlapping 4- and 8-byte words and long ones in 8-byte chunks
// with an overlapping last chunk: a byte that needs escaping (or a UTF-8 sequence) at any
// position of any length up to a few words must come out as the clean text around it plus its
// own escape.
TEST(EventJson, EscapesAtEveryPositionAndLength) {
  const std::pair<std::string, std::string> specials[] = {{"\"", "\\\""},
                                                          {"\\", "\\\\"},
                                                          {"\n", "\\n"},
                                                          {std::string(1, '\x01'), "\\u0001"},
                                                          {"\xc3\xa9", "\xc3\xa9"},
                                                          {"\xff", "\xEF\xBF\xBD"}};
  for (size_t length = 0; length <= 80; ++length) {
    std::string clean(length, 'x');
    for (size_t i = 0; i < length; ++i) clean[i] = static_cast<char>('a' + i % 26);
    ASSERT_EQ(jsonString(clean), "\"" + clean + "\"") << length;
    for (const auto& [raw, escaped] : specials) {
      for (size_t at = 0; at <= length; ++at) {
        const std::string in = clean.substr(0, at) + raw + clean.substr(at);
        const std::string want = "\"" + clean.substr(0, at) + escaped + clean.substr(at) + "\"";
        ASSERT_EQ(jsonString(in), want) << length << " at " << at;
      }
    }
  }
}

TEST(EventJson, ReplacesInvalidUtf8) {
  const std::string r = "\xEF\xBF\xBD";
  struct Case {
    std::string in, out;
  } cases[] = {
      {"caf\xc3\xa9", "caf\xc3\xa9"},                                    // valid 2-byte
      {"\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80"},  // valid 3- and 4-byte
      {"a\xff"
       "b",
       "a" + r + "b"},                      // never-valid byte
      {"\x80", r},                          // lone continuation
      {"\xc0\xaf", r + r},                  // overlong: each byte replaced
      {"\xe0\x80\xaf", r + r + r},          // overlong 3-byte
      {"\xed\xa0\x80", r + r + r},          // UTF-16 surrogate
      {"\xf4\x90\x80\x80", r + r + r + r},  // above U+10FFFF
      {"\xe2\x82", r},                      // truncated: one maximal subpart
      {"\xe2\x82x", r + "x"},
      {"\xf0\x9f\x98", r},
      {"\xc3", r},
      {"\xc3\xc3\xa9", r + "\xc3\xa9"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(jsonString(c.in), "\"" + c.out + "\"") << ::testing::PrintToString(c.in);
  }
}

// Walks a parsed document: no null anywhere, and each object's keys appear in schema order.
void checkTree(dom::element el, const std::string& where) {
  static const std::vector<std::string_view> kOrder = {
      "schema",     "id",      "time",           "type",    "name",      "region",
      "location",   "country", "subdivision",    "consent", "analytics", "marketing",
      "functional", "source",  "policy_version", "client",  "ip",        "os",
      "browser",    "device",  "family",         "brand",   "model",     "language",
      "screen",     "width",   "height",         "dpr",     "viewport",  "page",
      "host",       "path",    "referrer",       "visitor", "bot",       "props"};
  ASSERT_FALSE(el.is_null()) << where;
  if (el.is_object()) {
    size_t last = 0;
    bool first = true;
    for (auto [k, v] : ok(el.get_object())) {
      checkTree(v, where + "." + std::string(k));
      if (where == ".props") continue;  // caller-chosen keys, in the beacon's order
      auto key = std::string_view(k);
      if (key == "type" || key == "version" || key == "name") {
        // shared names at several levels ("type" of device, "name"/"version" of os/browser)
        continue;
      }
      auto it = std::find(kOrder.begin(), kOrder.end(), key);
      ASSERT_NE(it, kOrder.end()) << where << " unexpected key " << key;
      size_t pos = static_cast<size_t>(it - kOrder.begin());
      EXPECT_TRUE(first || pos > last) << where << " out of order: " << key;
      last = pos;
      first = false;
    }
  } else if (el.is_array()) {
    for (dom::element child : ok(el.get_array())) checkTree(child, where + "[]");
  }
}

bool validUtf8(std::string_view s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

std::string asciiOnly(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x80) out += c;
  }
  return out;
}

// A string field as it must come back from the serializer.
void expectString(dom::element parent, const char* key, const std::optional<std::string>& want,
                  const std::string& where) {
  auto got = parent[key];
  if (!want) {
    EXPECT_EQ(got.error(), simdjson::NO_SUCH_FIELD) << where << "." << key;
    return;
  }
  ASSERT_EQ(got.error(), simdjson::SUCCESS) << where << "." << key;
  std::string_view s = ok(got.get_string());
  if (validUtf8(*want)) {
    EXPECT_EQ(s, *want) << where << "." << key;
  } else {
    EXPECT_EQ(asciiOnly(s), asciiOnly(*want)) << where << "." << key;
    EXPECT_NE(s.find("\xEF\xBF\xBD"), std::string_view::npos);
  }
}

// Checks one serialized event against the Event it came from, field by field.
void checkEvent(const Event& e, const std::string& json) {
  dom::parser parser;
  dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  checkTree(doc, "");
  EXPECT_EQ(ok(doc["schema"].get_string()), "consentry.event/1");
  EXPECT_EQ(ok(doc["id"].get_string()), e.id);
  std::string time;
  appendIsoTime(e.time, time);
  EXPECT_EQ(ok(doc["time"].get_string()), time);
  EXPECT_EQ(ok(doc["type"].get_string()), eventTypeName(e.type));
  expectString(doc, "region", e.region, "");
  expectString(doc, "visitor", e.visitor ? std::optional<std::string>(*e.visitor) : std::nullopt,
               "");
  if (e.type == EventType::ConsentWithdrawn) {
    size_t keys = ok(doc.get_object()).size();
    EXPECT_EQ(keys, e.visitor ? 6u : 5u) << json;
    return;
  }
  expectString(doc, "name", e.type == EventType::Beacon ? std::optional(e.name) : std::nullopt, "");

  auto loc = doc["location"];
  EXPECT_EQ(loc.error() == simdjson::SUCCESS, e.country || e.subdivision) << json;
  if (loc.error() == simdjson::SUCCESS) {
    expectString(ok(loc), "country", e.country, "location");
    expectString(ok(loc), "subdivision", e.subdivision, "location");
  }
  auto consent = doc["consent"];
  ASSERT_EQ(consent.error() == simdjson::SUCCESS, e.consent.has_value());
  if (e.consent) {
    EXPECT_EQ(ok(consent["analytics"].get_bool()), e.consent->analytics);
    EXPECT_EQ(ok(consent["marketing"].get_bool()), e.consent->marketing);
    EXPECT_EQ(ok(consent["functional"].get_bool()), e.consent->functional);
    expectString(
        ok(consent), "source",
        e.consent->source.empty() ? std::nullopt : std::optional<std::string>(e.consent->source),
        "consent");
    EXPECT_EQ(consent["policy_version"].error() == simdjson::SUCCESS,
              e.consent->policyVersion.has_value());
    if (e.consent->policyVersion) {
      EXPECT_EQ(ok(consent["policy_version"].get_int64()), *e.consent->policyVersion);
    }
  }

  bool os = e.osName || e.osVersion, browser = e.browserName || e.browserVersion;
  bool device = e.deviceType || e.deviceFamily || e.deviceBrand || e.deviceModel;
  bool anyClient = e.ip || os || browser || device || e.language || e.screen || e.viewport;
  auto client = doc["client"];
  ASSERT_EQ(client.error() == simdjson::SUCCESS, anyClient) << json;
  if (anyClient) {
    dom::element c = ok(client);
    expectString(c, "ip", e.ip ? std::optional(e.ip->toString()) : std::nullopt, "client");
    EXPECT_EQ(c["os"].error() == simdjson::SUCCESS, os);
    if (os) {
      expectString(ok(c["os"]), "name", e.osName, "os");
      expectString(ok(c["os"]), "version", e.osVersion, "os");
    }
    EXPECT_EQ(c["browser"].error() == simdjson::SUCCESS, browser);
    if (browser) {
      expectString(ok(c["browser"]), "name", e.browserName, "browser");
      expectString(ok(c["browser"]), "version", e.browserVersion, "browser");
    }
    EXPECT_EQ(c["device"].error() == simdjson::SUCCESS, device);
    if (device) {
      dom::element d = ok(c["device"]);
      expectString(d, "type", e.deviceType, "device");
      expectString(d, "family", e.deviceFamily, "device");
      expectString(d, "brand", e.deviceBrand, "device");
      expectString(d, "model", e.deviceModel, "device");
    }
    expectString(c, "language", e.language, "client");
    EXPECT_EQ(c["screen"].error() == simdjson::SUCCESS, e.screen.has_value());
    if (e.screen) {
      EXPECT_EQ(ok(c["screen"]["width"].get_int64()), e.screen->width);
      EXPECT_EQ(ok(c["screen"]["height"].get_int64()), e.screen->height);
      EXPECT_EQ(ok(c["screen"]["dpr"].get_double()), e.screen->dpr);
    }
    EXPECT_EQ(c["viewport"].error() == simdjson::SUCCESS, e.viewport.has_value());
    if (e.viewport) {
      EXPECT_EQ(ok(c["viewport"]["width"].get_int64()), e.viewport->width);
      EXPECT_EQ(ok(c["viewport"]["height"].get_int64()), e.viewport->height);
    }
  }
  bool anyPage = e.host || e.path || e.referrer;
  auto page = doc["page"];
  ASSERT_EQ(page.error() == simdjson::SUCCESS, anyPage);
  if (anyPage) {
    expectString(ok(page), "host", e.host, "page");
    expectString(ok(page), "path", e.path, "page");
    expectString(ok(page), "referrer", e.referrer, "page");
  }
  EXPECT_EQ(doc["bot"].error() == simdjson::SUCCESS, e.bot.has_value());
  if (e.bot) {
    EXPECT_EQ(ok(doc["bot"].get_bool()), *e.bot);
  }
  ASSERT_EQ(doc["props"].error() == simdjson::SUCCESS, e.props.has_value());
  if (e.props) {
    dom::object props = ok(doc["props"].get_object());
    size_t i = 0;
    for (auto [k, v] : props) {
      ASSERT_LT(i, e.props->size());
      const auto& [name, value] = (*e.props)[i++];
      if (validUtf8(name)) {
        EXPECT_EQ(std::string_view(k), name);
      }
      if (auto* s = std::get_if<std::string>(&value)) {
        if (validUtf8(*s)) {
          EXPECT_EQ(ok(v.get_string()), *s);
        }
      } else if (auto* d = std::get_if<double>(&value)) {
        EXPECT_EQ(ok(v.get_double()), *d);  // shortest round-trip is exact
      } else {
        EXPECT_EQ(ok(v.get_bool()), std::get<bool>(value));
      }
    }
    EXPECT_EQ(i, e.props->size());
  }
}

TEST(EventJson, EveryNestedFieldCombination) {
  // Each bit toggles one optional field; all 2^20 combinations would be slow, so the nested
  // objects' fields are enumerated exhaustively (2^15) while the rest vary with the same bits.
  for (uint32_t bits = 0; bits < (1u << 15); ++bits) {
    Event e = specEvent();
    auto on = [&](int b) { return (bits >> b) & 1u; };
    if (!on(0)) e.country.reset();
    if (!on(1)) e.subdivision.reset();
    if (!on(2)) e.osName.reset();
    if (!on(3)) e.osVersion.reset();
    if (!on(4)) e.browserName.reset();
    if (!on(5)) e.browserVersion.reset();
    if (on(6)) e.deviceFamily = "iPhone";
    if (!on(7)) e.deviceType.reset();
    if (on(8)) e.deviceBrand = "Apple";
    if (on(9)) e.deviceModel = "iPhone";
    if (!on(10)) e.host.reset();
    if (!on(11)) e.path.reset();
    if (!on(12)) e.referrer.reset();
    if (!on(13)) e.ip.reset(), e.language.reset();
    if (!on(14)) e.screen.reset(), e.consent.reset();
    if (on(0) != on(13)) e.viewport = Viewport{390, 844};
    if (on(1) != on(14)) e.visitor.reset(), e.bot.reset(), e.props.reset();
    if (e.consent && on(2) && on(12)) e.consent->policyVersion.reset();
    ASSERT_NO_FATAL_FAILURE(checkEvent(e, toJson(e))) << bits;
  }
}

TEST(EventJson, RandomEventsRoundTripAndNeverNull) {
  std::mt19937_64 rng(20261129);
  std::string out;
  for (int i = 0; i < 20000; ++i) {
    Event e = testing::randomEvent(rng, {"default", "eea", "us-ca", "unknown"});
    out.clear();  // reused buffer, as the pipeline does
    appendEventJson(e, out);
    ASSERT_NO_FATAL_FAILURE(checkEvent(e, out)) << out;
    EXPECT_EQ(out.find("null"), std::string::npos);
    EXPECT_TRUE(validUtf8(out));
  }
}

TEST(EventJson, CloudEventsEnvelope) {
  Event e = specEvent();
  e.type = EventType::Beacon;
  e.name = "signup";
  std::string out;
  appendCloudEventJson(e, "urn:consentry:test", out);
  dom::parser parser;
  dom::element doc = ok(parser.parse(out));
  EXPECT_EQ(ok(doc["specversion"].get_string()), "1.0");
  EXPECT_EQ(ok(doc["id"].get_string()), e.id);
  EXPECT_EQ(ok(doc["source"].get_string()), "urn:consentry:test");
  EXPECT_EQ(ok(doc["type"].get_string()), "dev.consentry.beacon");
  EXPECT_EQ(ok(doc["time"].get_string()), "2026-11-29T01:02:03.456Z");
  EXPECT_EQ(ok(doc["datacontenttype"].get_string()), "application/json");
  EXPECT_EQ(ok(doc["partitionkey"].get_string()), "v1");
  EXPECT_EQ(ok(doc["data"]["name"].get_string()), "signup");
  // `data` is byte for byte the plain event.
  EXPECT_NE(out.find(",\"data\":" + toJson(e) + ","), std::string::npos);
  std::vector<std::string_view> keys;
  for (auto [k, v] : ok(doc.get_object())) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string_view>{"specversion", "id", "source", "type", "time",
                                                 "datacontenttype", "data", "partitionkey"}));

  e.type = EventType::ConsentWithdrawn;
  e.visitor.reset();
  out.clear();
  appendCloudEventJson(e, "/consentry", out);
  doc = ok(parser.parse(out));
  EXPECT_EQ(ok(doc["type"].get_string()), "dev.consentry.consent.withdrawn");
  EXPECT_EQ(doc["partitionkey"].error(), simdjson::NO_SUCH_FIELD);
}

TEST(EventJson, DefaultSourceNamesTheHost) {
  std::string s = defaultCloudEventSource();
  EXPECT_TRUE(s == "/consentry" || (s.rfind("urn:consentry:", 0) == 0 && s.size() > 14)) << s;
}

}  // namespace
}  // namespace consentry::events
