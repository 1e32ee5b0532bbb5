#include <gtest/gtest.h>

#include "events/event.h"
#include "events/uuid7.h"

namespace consentry::events {
namespace {

TEST(EventId, HoldsTheWholeUuidText) {
  const EventId id = newEventId();
  ASSERT_EQ(id.size(), kUuidTextSize);
  EXPECT_EQ(id.view()[8], '-');
  EXPECT_EQ(id.view()[14], '7');
}

}  // namespace
}  // namespace consentry::events
