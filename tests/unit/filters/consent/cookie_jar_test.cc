#include "filters/consent/cookie_jar.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace consentry::filters::consent {
namespace {

TEST(CookieJar, FindsTheFirstCookieAcrossHeaders) {
  std::vector<HeaderField> headers = {
      {"Host", "a"}, {"Cookie", "a=1; b=\"2\"; =x; novalue; c= 3 "}, {"cookie", "a=4; d=5"}};
  const CookieJar jar(headers);
  EXPECT_EQ(jar.find("a"), "1");
  EXPECT_EQ(jar.find("b"), "2");
  EXPECT_EQ(jar.find("c"), "3");
  EXPECT_EQ(jar.find("d"), "5");
  EXPECT_FALSE(jar.find("novalue"));
  EXPECT_FALSE(jar.find("A"));
  EXPECT_FALSE(jar.find(""));
}

TEST(CookieJar, NoCookieHeader) {
  std::vector<HeaderField> headers = {{"Host", "a"}};
  EXPECT_FALSE(CookieJar(headers).find("a"));
}

// The jar gives findCookie's answer for every name, including past the inline capacity and
// with repeated names.
TEST(CookieJar, AgreesWithFindCookieOnRandomHeaders) {
  std::mt19937 rng(3);
  for (int round = 0; round < 500; ++round) {
    std::vector<std::string> values;
    const int headerCount = 1 + static_cast<int>(rng() % 3);
    for (int h = 0; h < headerCount; ++h) {
      std::string v;
      const int pairs = static_cast<int>(rng() % 40);
      for (int p = 0; p < pairs; ++p) {
        if (!v.empty()) v += (rng() % 4 == 0) ? ";" : "; ";
        v += "k" + std::to_string(rng() % 30) + "=v" + std::to_string(rng() % 1000);
      }
      values.push_back(v);
    }
    std::vector<HeaderField> headers;
    for (const auto& v : values) headers.push_back({"Cookie", v});
    const CookieJar jar(headers);
    for (int k = 0; k < 32; ++k) {
      const std::string name = "k" + std::to_string(k);
      EXPECT_EQ(jar.find(name), findCookie(headers, name)) << name;
    }
  }
}

}  // namespace
}  // namespace consentry::filters::consent
