#include "proxy/upstream/router.h"

#include <gtest/gtest.h>

namespace consentry::upstream {
namespace {

config::Config configWith(std::vector<config::Route> routes) {
  config::Config c;
  for (auto name : {"a", "b", "c", "d"}) {
    config::Upstream u;
    u.name = name;
    u.servers = {"127.0.0.1:1"};
    c.upstreams.push_back(u);
  }
  c.routes = std::move(routes);
  return c;
}

TEST(Router, NoRoutesMeansFirstUpstream) {
  Router r(configWith({}));
  EXPECT_EQ(r.match("anything", "/x"), 0);
  config::Config empty;
  EXPECT_EQ(Router(empty).match("h", "/"), -1);
}

TEST(Router, LongestPrefixWithinFirstMatchingHost) {
  Router r(configWith({{"example.com", "/", "a"},
                       {"example.com", "/api/v2", "c"},
                       {"example.com", "/api", "b"},
                       {"*", "/api/v2/special", "d"}}));
  EXPECT_EQ(r.match("example.com", "/"), 0);
  EXPECT_EQ(r.match("example.com", "/api/x"), 1);
  EXPECT_EQ(r.match("example.com", "/api/v2/special"), 2);  // the host group wins first
  EXPECT_EQ(r.match("other.com", "/api/v2/special/1"), 3);
  EXPECT_EQ(r.match("other.com", "/"), -1);
}

TEST(Router, WildcardHosts) {
  Router r(configWith({{"*.example.com", "/", "b"}, {"*", "/", "c"}}));
  EXPECT_EQ(r.match("www.example.com", "/"), 1);
  EXPECT_EQ(r.match("A.B.EXAMPLE.COM:8080", "/"), 1);
  EXPECT_EQ(r.match("example.com", "/"), 2);
  EXPECT_EQ(r.match("badexample.com", "/"), 2);
}

TEST(Router, HostMatchingIgnoresPortAndCase) {
  EXPECT_TRUE(Router::hostMatches("example.com", "Example.COM:80"));
  EXPECT_TRUE(Router::hostMatches("example.com", "example.com."));
  EXPECT_TRUE(Router::hostMatches("[::1]", "[::1]:8080"));
  EXPECT_FALSE(Router::hostMatches("example.com", "example.co"));
  EXPECT_TRUE(Router::hostMatches("*", ""));
  EXPECT_FALSE(Router::hostMatches("*.example.com", ".example.com"));
}

TEST(Router, UnknownUpstreamRouteIsSkipped) {
  Router r(configWith({{"*", "/x", "nope"}, {"*", "/", "b"}}));
  EXPECT_EQ(r.match("h", "/x"), 1);
}

}  // namespace
}  // namespace consentry::upstream
