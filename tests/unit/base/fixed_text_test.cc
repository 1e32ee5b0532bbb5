#include "base/fixed_text.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace consentry {
namespace {

TEST(FixedText, HoldsUpToItsCapacity) {
  FixedText<4> t;
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.view(), "");
  t = "abcd";
  EXPECT_EQ(t.size(), 4u);
  EXPECT_EQ(t, "abcd");
  t = std::string("x");
  EXPECT_EQ(t.view(), "x");
  EXPECT_EQ(t.str(), std::string("x"));
  EXPECT_EQ(t, FixedText<4>("x"));
  EXPECT_FALSE(t == "xy");
}

TEST(FixedText, CopiesAreIndependentValues) {
  std::optional<FixedText<32>> a = FixedText<32>("0123456789abcdef0123456789abcdef");
  std::optional<FixedText<32>> b = a;
  a->assign("v");
  EXPECT_EQ(*b, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(*a, "v");
}

TEST(FixedTextDeathTest, LongerTextStopsTheProcess) {
  EXPECT_DEATH(
      {
        FixedText<2> t;
        t.assign("abc");
      },
      "");
}

}  // namespace
}  // namespace consentry
