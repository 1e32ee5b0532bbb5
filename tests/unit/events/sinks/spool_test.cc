#include "events/sinks/spool.h"
#include "tests/helpers/temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

namespace consentry::events {
namespace {

namespace fs = std::filesystem;

using test_support::TempDir;

EncodedEvent makeEvent(int i, size_t payloadBytes = 40) {
  EncodedEvent e;
  e.id = "id-" + std::to_string(i);
  e.key = i % 3 == 0 ? "" : "visitor-" + std::to_string(i % 7);
  e.region = i % 2 ? "eea" : "default";
  e.payload = "{\"id\":\"" + e.id + "\",\"pad\":\"" + std::string(payloadBytes, 'x') + "\"}";
  return e;
}

std::unique_ptr<Spool> openSpool(const std::string& dir, uint64_t maxBytes = 1 << 30,
                                 uint64_t segmentBytes = 16 << 20) {
  Spool::Options options;
  options.dir = dir;
  options.maxBytes = maxBytes;
  options.segmentBytes = segmentBytes;
  options.syncEveryAppend = false;  // fdatasync cost is not what these tests measure
  auto spool = Spool::open(options);
  EXPECT_TRUE(spool.ok()) << (spool.ok() ? "" : spool.error().message);
  return spool.ok() ? std::move(spool.value()) : nullptr;
}

// Reads and acknowledges everything, returning the ids in order.
std::vector<std::string> drain(Spool& spool, size_t batch = 7) {
  std::vector<std::string> ids;
  for (int guard = 0; guard < 100000; ++guard) {
    auto events = spool.peek(batch, 1 << 20);
    if (events.empty()) {
      if (spool.empty()) break;
      continue;  // a skipped damaged segment: the next peek goes on
    }
    for (auto& e : events) ids.push_back(e.id);
    spool.commit();
  }
  return ids;
}

std::vector<fs::path> segmentFiles(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".seg") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SpoolRecord, RoundTripAndRejectsEveryTruncation) {
  EncodedEvent e = makeEvent(5);
  std::string rec;
  encodeSpoolRecord(e, rec);
  size_t consumed = 0;
  EncodedEvent back;
  ASSERT_EQ(decodeSpoolRecord(rec, consumed, back), SpoolDecode::Ok);
  EXPECT_EQ(consumed, rec.size());
  EXPECT_EQ(back.id, e.id);
  EXPECT_EQ(back.key, e.key);
  EXPECT_EQ(back.region, e.region);
  EXPECT_EQ(back.payload, e.payload);
  for (size_t n = 0; n < rec.size(); ++n) {
    EXPECT_EQ(decodeSpoolRecord(std::string_view(rec).substr(0, n), consumed, back),
              SpoolDecode::NeedMore)
        << n;
  }
  for (size_t i = 0; i < rec.size(); ++i) {
    std::string bad = rec;
    bad[i] ^= 0x20;
    EXPECT_NE(decodeSpoolRecord(bad, consumed, back), SpoolDecode::Ok) << i;
  }
}

TEST(Spool, ReplaysInOrderAcrossSegments) {
  TempDir dir;
  auto spool = openSpool(dir.str(), 1 << 30, 4096);
  ASSERT_TRUE(spool);
  EXPECT_TRUE(spool->empty());
  std::vector<std::string> expected;
  for (int b = 0; b < 40; ++b) {
    std::vector<EncodedEvent> batch;
    for (int i = 0; i < 5; ++i) {
      batch.push_back(makeEvent(b * 5 + i));
      expected.push_back(batch.back().id);
    }
    ASSERT_TRUE(spool->append(batch));
  }
  EXPECT_GT(segmentFiles(dir.path()).size(), 3u);
  EXPECT_FALSE(spool->empty());
  // peek without commit returns the same events again.
  auto first = spool->peek(3, 1 << 20);
  auto again = spool->peek(3, 1 << 20);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(first[2].id, again[2].id);
  EXPECT_EQ(drain(*spool), expected);
  EXPECT_TRUE(spool->empty());
  // Fully acknowledged segments are gone; at most the fresh write segment remains.
  EXPECT_LE(segmentFiles(dir.path()).size(), 1u);
  EXPECT_EQ(spool->stats().corrupt, 0u);
}

TEST(Spool, RestartResumesAfterTheCheckpoint) {
  TempDir dir;
  std::vector<std::string> expected;
  {
    auto spool = openSpool(dir.str(), 1 << 30, 4096);
    for (int i = 0; i < 100; ++i) {
      std::vector<EncodedEvent> one{makeEvent(i)};
      ASSERT_TRUE(spool->append(one));
    }
    auto events = spool->peek(30, 1 << 20);
    ASSERT_EQ(events.size(), 30u);
    spool->commit();
    // Peeked but not committed: must come back after the restart.
    ASSERT_EQ(spool->peek(10, 1 << 20).size(), 10u);
  }
  for (int i = 30; i < 100; ++i) expected.push_back("id-" + std::to_string(i));
  {
    auto spool = openSpool(dir.str(), 1 << 30, 4096);
    std::vector<EncodedEvent> more{makeEvent(100), makeEvent(101)};
    ASSERT_TRUE(spool->append(more));
    expected.push_back("id-100");
    expected.push_back("id-101");
    EXPECT_EQ(drain(*spool), expected);
  }
  auto spool = openSpool(dir.str(), 1 << 30, 4096);
  EXPECT_TRUE(spool->empty());
  EXPECT_TRUE(spool->peek(10, 1 << 20).empty());
}

TEST(Spool, RestartsDoNotAccumulateEmptySegments) {
  TempDir dir;
  for (int i = 0; i < 5; ++i) {
    auto spool = openSpool(dir.str());
    EXPECT_TRUE(spool->empty());
  }
  EXPECT_LE(segmentFiles(dir.path()).size(), 1u);
}

TEST(Spool, FullSpoolDropsAndCountsThenRecovers) {
  TempDir dir;
  SinkCounters counters;
  Spool::Options options;
  options.dir = dir.str();
  options.maxBytes = 20000;
  options.syncEveryAppend = false;
  options.counters = &counters;
  auto spool = std::move(Spool::open(options).value());
  int accepted = 0, dropped = 0;
  for (int i = 0; i < 400; ++i) {
    std::vector<EncodedEvent> one{makeEvent(i)};
    (spool->append(one) ? accepted : dropped)++;
    EXPECT_LE(spool->bytes(), options.maxBytes);
  }
  EXPECT_GT(accepted, 50);
  EXPECT_GT(dropped, 0);
  EXPECT_EQ(spool->stats().droppedFull, static_cast<uint64_t>(dropped));
  EXPECT_EQ(counters.dropped.load(), static_cast<uint64_t>(dropped));
  EXPECT_EQ(counters.spooled.load(), static_cast<uint64_t>(accepted));
  EXPECT_EQ(counters.spoolBytes.load(), static_cast<int64_t>(spool->bytes()));
  auto ids = drain(*spool);
  EXPECT_EQ(ids.size(), static_cast<size_t>(accepted));
  // Space comes back once everything is acknowledged.
  std::vector<EncodedEvent> one{makeEvent(1000)};
  EXPECT_TRUE(spool->append(one));
}

TEST(Spool, TruncatedTailIsSkippedAndCounted) {
  TempDir dir;
  {
    auto spool = openSpool(dir.str());
    for (int i = 0; i < 10; ++i) {
      std::vector<EncodedEvent> one{makeEvent(i)};
      ASSERT_TRUE(spool->append(one));
    }
  }
  auto segs = segmentFiles(dir.path());
  ASSERT_EQ(segs.size(), 1u);
  fs::resize_file(segs[0], fs::file_size(segs[0]) - 5);
  auto spool = openSpool(dir.str());
  std::vector<EncodedEvent> after{makeEvent(10)};
  ASSERT_TRUE(spool->append(after));
  auto ids = drain(*spool);
  std::vector<std::string> expected;
  for (int i = 0; i < 9; ++i) expected.push_back("id-" + std::to_string(i));
  expected.push_back("id-10");
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(spool->stats().corrupt, 1u);
}

TEST(Spool, DeletedSegmentsAreSkipped) {
  TempDir dir;
  {
    auto spool = openSpool(dir.str(), 1 << 30, 4096);
    for (int i = 0; i < 200; ++i) {
      std::vector<EncodedEvent> one{makeEvent(i)};
      ASSERT_TRUE(spool->append(one));
    }
  }
  auto segs = segmentFiles(dir.path());
  ASSERT_GE(segs.size(), 4u);
  fs::remove(segs[0]);
  fs::remove(segs[2]);
  auto spool = openSpool(dir.str(), 1 << 30, 4096);
  auto ids = drain(*spool);
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), ids.size());
  EXPECT_GT(ids.size(), 50u);
  EXPECT_LT(ids.size(), 200u);
  // Order is kept among the survivors.
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LT(std::stoi(ids[i - 1].substr(3)), std::stoi(ids[i].substr(3)));
  }
  // A segment removed while the spool is open is skipped too.
  for (int i = 0; i < 200; ++i) {
    std::vector<EncodedEvent> one{makeEvent(i)};
    ASSERT_TRUE(spool->append(one));
  }
  segs = segmentFiles(dir.path());
  ASSERT_GE(segs.size(), 3u);
  fs::remove(segs[1]);
  ids = drain(*spool);
  EXPECT_GT(ids.size(), 50u);
  EXPECT_LT(ids.size(), 200u);
  EXPECT_TRUE(spool->empty());
}

TEST(Spool, FlippedBytesNeverCrashOrYieldCorruptRecords) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 60; ++round) {
    TempDir dir;
    std::map<std::string, EncodedEvent> written;
    {
      auto spool = openSpool(dir.str(), 1 << 30, 4096);
      for (int i = 0; i < 80; ++i) {
        std::vector<EncodedEvent> one{makeEvent(i, rng() % 200)};
        written[one[0].id] = one[0];
        ASSERT_TRUE(spool->append(one));
      }
    }
    auto segs = segmentFiles(dir.path());
    for (int flips = 0; flips < 1 + round % 5; ++flips) {
      const fs::path& victim = segs[rng() % segs.size()];
      auto size = fs::file_size(victim);
      if (size == 0) continue;
      std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
      auto pos = static_cast<std::streamoff>(rng() % size);
      f.seekg(pos);
      char c = 0;
      f.read(&c, 1);
      c = static_cast<char>(c ^ (1 + rng() % 255));
      f.seekp(pos);
      f.write(&c, 1);
    }
    auto spool = openSpool(dir.str(), 1 << 30, 4096);
    std::vector<EncodedEvent> got;
    for (int guard = 0; guard < 10000 && !spool->empty(); ++guard) {
      auto events = spool->peek(5, 1 << 20);
      for (auto& e : events) got.push_back(e);
      spool->commit();
    }
    ASSERT_TRUE(spool->empty()) << "round " << round;
    EXPECT_GE(spool->stats().corrupt, 1u) << "round " << round;
    for (const auto& e : got) {
      auto it = written.find(e.id);
      ASSERT_NE(it, written.end()) << e.id;
      EXPECT_EQ(it->second.payload, e.payload);
      EXPECT_EQ(it->second.key, e.key);
      EXPECT_EQ(it->second.region, e.region);
    }
  }
}

TEST(Spool, ConcurrentAppendWhileReading) {
  TempDir dir;
  auto spool = openSpool(dir.str(), 1 << 30, 8192);
  std::thread writer([&] {
    for (int i = 0; i < 2000; ++i) {
      std::vector<EncodedEvent> one{makeEvent(i)};
      spool->append(one);
    }
  });
  std::vector<std::string> ids;
  while (ids.size() < 2000) {
    auto events = spool->peek(50, 1 << 20);
    for (auto& e : events) ids.push_back(e.id);
    spool->commit();
  }
  writer.join();
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], "id-" + std::to_string(i));
  EXPECT_TRUE(spool->empty());
}

}  // namespace
}  // namespace consentry::events
