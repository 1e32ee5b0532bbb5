#include "filters/telemetry/regex_prefilter.h"

#include <gtest/gtest.h>

namespace consentry::filters::telemetry {
namespace {

using Clauses = std::vector<LiteralClause>;

TEST(RequiredLiterals, MandatoryRuns) {
  EXPECT_EQ(requiredLiterals(R"((Chrome)/(\d+))"), (Clauses{{"chrome"}}));
  EXPECT_EQ(requiredLiterals(R"(Firefox?/(\d+))"), (Clauses{{"firefo"}}));
  EXPECT_EQ(requiredLiterals(R"(ab{0,2}cd)"), (Clauses{{"cd"}}));
  EXPECT_EQ(requiredLiterals(R"(\bSafari\d)"), (Clauses{{"safari"}}));
  EXPECT_EQ(requiredLiterals(R"([Kk]indle\x20Fire)"), (Clauses{{"kindle"}, {"fire"}}));
  EXPECT_EQ(requiredLiterals(R"((HbbTV)?/SmartTV\.1)"), (Clauses{{"/smarttv.1"}}));
}

TEST(RequiredLiterals, AlternationsBecomeAnyOf) {
  EXPECT_EQ(requiredLiterals(R"(abc|defgh)"), (Clauses{{"abc", "defgh"}}));
  EXPECT_EQ(requiredLiterals(R"((?:Googlebot|bingbot)/x)"),
            (Clauses{{"bingbot", "googlebot"}, {"/x"}}));
  // Each branch contributes its most selective literal.
  EXPECT_EQ(requiredLiterals(R"(^.{0,9}(?:Mozilla.*Opera Mini|Nokia\d))"),
            (Clauses{{"nokia", "opera mini"}}));
  EXPECT_EQ(requiredLiterals(R"([Ss][Pp][Ii][Dd][Ee][Rr]|[Cc]rawl)"),
            (Clauses{{"crawl", "spider"}}));
}

TEST(RequiredLiterals, NothingWhenABranchIsFree) {
  EXPECT_TRUE(requiredLiterals(R"((?:abc|)x)").empty());
  EXPECT_TRUE(requiredLiterals(R"(abc|\d+)").empty());
  EXPECT_TRUE(requiredLiterals(R"((?:Chrome)?\d)").empty());
  EXPECT_TRUE(requiredLiterals(R"((?=Chrome)\d)").empty());
  EXPECT_TRUE(requiredLiterals(R"(a.b)").empty());  // single characters reject nothing
}

TEST(RequiredLiterals, CommonLiteralsSortLast) {
  auto clauses = requiredLiterals(R"(Mozilla.{1,200}Android.{1,200}(GSA)/(\d+))");
  ASSERT_EQ(clauses.size(), 3u);
  EXPECT_EQ(clauses[0], LiteralClause{"android"});
  EXPECT_EQ(clauses.back(), LiteralClause{"mozilla"});
}

}  // namespace
}  // namespace consentry::filters::telemetry
