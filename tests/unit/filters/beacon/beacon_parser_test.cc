#include "filters/beacon/beacon_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace consentry::filters {
namespace {

BeaconLimits limits() {
  return BeaconLimits{};
}

TEST(BeaconParser, SingleEventWithEveryField) {
  auto r = parseBeacon(R"({"name":"signup","screen":{"width":1920,"height":1080,"dpr":2},
    "viewport":{"width":1200,"height":800},"language":"de-DE","path":"/pricing",
    "referrer":"https://search.example/","props":{"plan":"pro","seats":3,"trial":true},
    "future_field":[1,2,3]})",
                       limits());
  ASSERT_EQ(r.status, 200) << r.error;
  ASSERT_EQ(r.events.size(), 1u);
  const auto& e = r.events[0];
  EXPECT_EQ(e.name, "signup");
  ASSERT_TRUE(e.screen);
  EXPECT_EQ(e.screen->width, 1920);
  EXPECT_EQ(e.screen->height, 1080);
  EXPECT_DOUBLE_EQ(e.screen->dpr, 2.0);
  ASSERT_TRUE(e.viewport);
  EXPECT_EQ(e.viewport->width, 1200);
  EXPECT_EQ(e.language, "de-DE");
  EXPECT_EQ(e.path, "/pricing");
  EXPECT_EQ(e.referrer, "https://search.example/");
  ASSERT_EQ(e.props.size(), 3u);
  EXPECT_EQ(std::get<std::string>(e.props[0].second), "pro");
  EXPECT_DOUBLE_EQ(std::get<double>(e.props[1].second), 3);
  EXPECT_TRUE(std::get<bool>(e.props[2].second));
}

TEST(BeaconParser, BatchForm) {
  auto r = parseBeacon(R"({"events":[{"name":"a"},{"screen":{"width":1,"height":2}}]})", limits());
  ASSERT_EQ(r.status, 200) << r.error;
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].name, "a");
  EXPECT_EQ(r.events[1].name, "beacon");
  EXPECT_EQ(r.events[1].screen->height, 2);
}

TEST(BeaconParser, MissingNameDefaultsToBeacon) {
  auto r = parseBeacon(R"({"language":"fr"})", limits());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.events[0].name, "beacon");
}

struct BadCase {
  const char* body;
  int status;
};

class BeaconRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(BeaconRejects, WithStatusAndReason) {
  auto r = parseBeacon(GetParam().body, limits());
  EXPECT_EQ(r.status, GetParam().status) << GetParam().body;
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(beaconErrorJson(r).rfind("{\"error\":\"", 0), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, BeaconRejects,
    ::testing::Values(
        BadCase{"", 400}, BadCase{"[]", 400}, BadCase{"\"x\"", 400}, BadCase{"{", 400},
        BadCase{"{\"name\":}", 400}, BadCase{"{\"name\":1}", 400}, BadCase{"{\"name\":\"\"}", 400},
        BadCase{"{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
                400},
        BadCase{"{\"screen\":[1,2]}", 400}, BadCase{"{\"screen\":{\"width\":-1}}", 400},
        BadCase{"{\"screen\":{\"width\":1.5}}", 400}, BadCase{"{\"screen\":{\"width\":1e9}}", 400},
        BadCase{"{\"screen\":{\"dpr\":0}}", 400}, BadCase{"{\"path\":\"relative\"}", 400},
        BadCase{"{\"props\":{\"a\":{\"nested\":1}}}", 400}, BadCase{"{\"props\":{\"a\":[1]}}", 400},
        BadCase{"{\"props\":{\"a\":null}}", 400}, BadCase{"{\"props\":[]}", 400},
        BadCase{"{\"events\":{}}", 400}, BadCase{"{\"events\":[1]}", 400},
        BadCase{"{\"events\":[]}", 400}, BadCase{"{\"events\":[{\"events\":[]}]} trailing", 400},
        BadCase{"{\"name\":\"a\"} {\"name\":\"b\"}", 400},
        BadCase{"{\"language\":\"this-language-tag-is-far-too-long-to-be-real\"}", 400}));

TEST(BeaconParser, TooManyProps) {
  std::string body = "{\"props\":{";
  for (int i = 0; i < 51; ++i) body += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  body += "}}";
  EXPECT_EQ(parseBeacon(body, limits()).status, 400);
}

TEST(BeaconParser, TooLargeIs413) {
  BeaconLimits l;
  l.maxBytes = 100;
  std::string body = "{\"name\":\"" + std::string(200, 'a') + "\"}";
  EXPECT_EQ(parseBeacon(body, l).status, 413);
}

TEST(BeaconParser, TooManyEventsIs413) {
  BeaconLimits l;
  l.maxEvents = 3;
  auto r = parseBeacon(R"({"events":[{},{},{},{}]})", l);
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(r.events.empty());
}

TEST(BeaconParser, EscapedStringsAreUnescaped) {
  auto r = parseBeacon(R"({"name":"a\"b","props":{"q":"line\nbreak \u00e9"}})", limits());
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.events[0].name, "a\"b");
  EXPECT_EQ(std::get<std::string>(r.events[0].props[0].second), "line\nbreak \xc3\xa9");
}

}  // namespace
}  // namespace consentry::filters
