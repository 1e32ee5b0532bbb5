#include "events/fixed_text.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "events/event.h"
#include "events/uuid7.h"

namespace consentry::events {
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
  std::optional<VisitorId> a = VisitorId("0123456789abcdef0123456789abcdef");
  std::optional<VisitorId> b = a;
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

TEST(FixedText, EventIdIsTheWholeUuidText) {
  const EventId id = newEventId();
  ASSERT_EQ(id.size(), kUuidTextSize);
  EXPECT_EQ(id.view()[8], '-');
  EXPECT_EQ(id.view()[14], '7');
}

}  // namespace
}  // namespace consentry::events
