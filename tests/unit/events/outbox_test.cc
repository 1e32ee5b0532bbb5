#include "events/outbox.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "events/event_json.h"
#include "events/event_metrics.h"

namespace consentry::events {
namespace {

Event numbered(int i) {
  Event e;
  e.id = std::to_string(i);
  e.path = std::string(40, 'p');
  e.visitor = "v" + std::to_string(i);
  e.region = "eea";
  return e;
}

TEST(Outbox, CapacityRoundsUpToPowerOfTwo) {
  EXPECT_EQ(Outbox(0).capacity(), 2u);
  EXPECT_EQ(Outbox(5).capacity(), 8u);
  EXPECT_EQ(Outbox(1024).capacity(), 1024u);
}

TEST(Outbox, FullDropsAndCounts) {
  Outbox box(8);
  uint64_t before = EventMetrics::global().droppedCount(DropReason::OutboxFull);
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(box.push(numbered(i)));
  EXPECT_FALSE(box.push(numbered(8)));
  EXPECT_FALSE(box.push(numbered(9)));
  EXPECT_EQ(box.dropped(), 2u);
  EXPECT_EQ(EventMetrics::global().droppedCount(DropReason::OutboxFull) - before, 2u);
  std::vector<QueuedEvent> out;
  EXPECT_EQ(box.drain(out, 3), 3u);
  EXPECT_TRUE(box.push(numbered(10)));  // room again
  EXPECT_EQ(box.drain(out, 100), 6u);
  ASSERT_EQ(out.size(), 9u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i].encoded.id, std::to_string(i));
  // A slot holds the event serialized once, with what routing and the sinks need beside it.
  EXPECT_EQ(out[8].encoded.id, "10");
  EXPECT_EQ(out[8].encoded.key, "v10");
  EXPECT_EQ(out[8].encoded.region, "eea");
  std::string json;
  appendEventJson(numbered(10), json);
  EXPECT_EQ(out[8].encoded.payload, json);
  EXPECT_NE(json.find(std::string(40, 'p')), std::string::npos);
}

TEST(Outbox, ClosedRefusesAndCountsStopped) {
  Outbox box(4);
  EXPECT_TRUE(box.push(numbered(1)));
  uint64_t before = EventMetrics::global().droppedCount(DropReason::Stopped);
  box.close();
  EXPECT_FALSE(box.push(numbered(2)));
  EXPECT_EQ(EventMetrics::global().droppedCount(DropReason::Stopped) - before, 1u);
  std::vector<QueuedEvent> out;
  EXPECT_EQ(box.drain(out, 10), 1u);  // what was accepted before close is still there
}

TEST(Outbox, SpscKeepsOrderAndLosesNothingAccepted) {
  Outbox box(64);
  constexpr int kN = 200000;
  std::vector<int> accepted;
  std::atomic<bool> done{false};
  std::thread producer([&] {
    for (int i = 0; i < kN; ++i) {
      if (box.push(numbered(i))) accepted.push_back(i);
    }
    box.close();
    done.store(true);
  });
  std::vector<QueuedEvent> got;
  for (;;) {
    bool finished = done.load();  // read before draining: nothing can arrive after that
    size_t n = box.drain(got, 17);
    if (n == 0 && finished) break;
  }
  producer.join();
  ASSERT_EQ(got.size(), accepted.size());
  EXPECT_EQ(accepted.size() + box.dropped(), size_t{kN});
  for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i].encoded.id, std::to_string(accepted[i]));
}

}  // namespace
}  // namespace consentry::events
