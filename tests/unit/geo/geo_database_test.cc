#include "geo/geo_database.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/unit/geo/test_mmdb.h"

namespace consentry::geo {
namespace {

namespace fs = std::filesystem;
using testing::buildMmdb;

IpAddress ip(const char* text) {
  return IpAddress::parse(text).value();
}

// Two versions of one database: the address moves from DE to FR.
class GeoDatabaseTest : public ::testing::Test {
 protected:
  // The generator takes a second or two per file: both versions are built once per suite.
  static void SetUpTestSuite() {
    const std::string tag = std::to_string(::getpid());
    v1_ = buildMmdb("reload-v1-" + tag, {{"2.16.0.0/16", "DE", "BE", "EU", ""}});
    v2_ = buildMmdb("reload-v2-" + tag, {{"2.16.0.0/16", "FR", "IDF", "EU", ""}});
    v3_ = buildMmdb("reload-v3-" + tag, {{"2.16.0.0/16", "SE", "AB", "EU", ""}});
  }
  static void TearDownTestSuite() {
    for (const auto& p : {v1_, v2_, v3_}) fs::remove(p);
  }
  void SetUp() override {
    live_ =
        (testing::fixtureDir() / ("reload-live-" + std::to_string(::getpid()) + ".mmdb")).string();
    ASSERT_FALSE(v1_.empty());
    ASSERT_FALSE(v2_.empty());
    ASSERT_FALSE(v3_.empty());
  }
  void TearDown() override { fs::remove(live_); }
  // Replaces the live file the way an updater should: write aside, then rename.
  void install(const std::string& from) {
    const std::string tmp = live_ + ".new";
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, live_);
  }
  static inline std::string v1_, v2_, v3_;
  std::string live_;
};

TEST_F(GeoDatabaseTest, ReloadSwapsOnlyWhenTheFileChanged) {
  install(v1_);
  GeoDatabase db(live_);
  EXPECT_TRUE(db.lastError().empty());
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "DE");

  auto unchanged = db.reloadIfChanged();
  ASSERT_TRUE(unchanged.ok());
  EXPECT_FALSE(*unchanged);

  const auto before = db.snapshot();
  install(v2_);
  auto reloaded = db.reloadIfChanged();
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message;
  EXPECT_TRUE(*reloaded);
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "FR");
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.subdivision, "FR-IDF");
  // A holder of the old snapshot keeps consistent answers from it.
  EXPECT_EQ(before->lookup(ip("2.16.1.1")).location.country, "DE");
}

TEST_F(GeoDatabaseTest, BadNewFileKeepsTheOldDatabase) {
  install(v1_);
  GeoDatabase db(live_);
  {
    std::ofstream f(live_ + ".new", std::ios::binary);
    f << "this is not a maxmind database";
  }
  fs::rename(live_ + ".new", live_);
  auto r = db.reloadIfChanged();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(live_), std::string::npos);
  EXPECT_FALSE(db.lastError().empty());
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "DE");
  // Same broken file: not retried (no error spam from the timer).
  auto again = db.reloadIfChanged();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  install(v2_);
  auto fixed = db.reloadIfChanged();
  ASSERT_TRUE(fixed.ok());
  EXPECT_TRUE(*fixed);
  EXPECT_TRUE(db.lastError().empty());
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "FR");
}

TEST_F(GeoDatabaseTest, MissingAtStartReportsErrorUntilTheFileAppears) {
  GeoDatabase db(live_);
  EXPECT_FALSE(db.snapshot());
  EXPECT_FALSE(db.lastError().empty());
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).status, GeoStatus::Error);
  install(v1_);
  auto r = db.reloadIfChanged();
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(*r);
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).status, GeoStatus::Found);
}

TEST_F(GeoDatabaseTest, DeletedFileKeepsServing) {
  install(v1_);
  GeoDatabase db(live_);
  fs::remove(live_);
  EXPECT_FALSE(db.reloadIfChanged().ok());
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "DE");
}

TEST_F(GeoDatabaseTest, LookupsDuringReloadsSeeOneVersionOrTheOther) {
  install(v1_);
  GeoDatabase db(live_);
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    while (!stop.load()) {
      const auto r = db.lookup(ip("2.16.1.1"));
      if (r.status != GeoStatus::Found ||
          (r.location.country != "DE" && r.location.country != "FR")) {
        ++bad;
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    install(i % 2 ? v1_ : v2_);
    EXPECT_TRUE(db.reloadIfChanged().ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

// Each thread keeps the database it used last; a reload must still reach every thread's very
// next lookup. Round r is published after its reload returned, so a lookup that starts in round
// r and ends before the round changes must answer from file r, or from file r + 1 when that
// reload is already done but not yet published; never from an older one. Three files in turn
// tell "older" from "newer".
TEST_F(GeoDatabaseTest, EveryThreadSeesAReloadOnItsNextLookup) {
  install(v1_);
  GeoDatabase db(live_);
  std::atomic<int> round{0};
  std::atomic<bool> stop{false};
  std::atomic<int> stale{0}, checked{0};
  auto expected = [](int r) { return std::array{"DE", "FR", "SE"}[static_cast<size_t>(r % 3)]; };
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        const int before = round.load(std::memory_order_acquire);
        const GeoResult r = db.lookup(ip("2.16.1.1"));
        if (round.load(std::memory_order_acquire) != before) continue;
        ++checked;
        const std::string_view got = r.location.country;
        if (got != expected(before) && got != expected(before + 1)) ++stale;
      }
    });
  }
  for (int r = 1; r <= 40; ++r) {
    install(std::array{v1_, v2_, v3_}[static_cast<size_t>(r % 3)]);
    const auto reloaded = db.reloadIfChanged();
    ASSERT_TRUE(reloaded.ok() && *reloaded);
    round.store(r, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0);
  EXPECT_GT(checked.load(), 40);
}

// An old database stays open while a thread still holds it from its last lookup, and is freed
// once every thread has looked up in the new one.
TEST_F(GeoDatabaseTest, OldDatabaseIsFreedOnceNoThreadHoldsIt) {
  install(v1_);
  GeoDatabase db(live_);
  std::weak_ptr<const GeoDb> old = db.snapshot();
  std::atomic<int> step{0};
  std::string helperFirst, helperSecond;
  std::thread helper([&] {
    helperFirst = db.lookup(ip("2.16.1.1")).location.country;
    step = 1;
    while (step.load() != 2) std::this_thread::yield();
    helperSecond = db.lookup(ip("2.16.1.1")).location.country;
    step = 3;
    while (step.load() != 4) std::this_thread::yield();
  });
  while (step.load() != 1) std::this_thread::yield();
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "DE");
  install(v2_);
  ASSERT_TRUE(db.reloadIfChanged().ok());
  EXPECT_EQ(db.lookup(ip("2.16.1.1")).location.country, "FR");
  EXPECT_FALSE(old.expired()) << "the helper thread still holds the old database";
  step = 2;
  while (step.load() != 3) std::this_thread::yield();
  EXPECT_TRUE(old.expired()) << "no thread uses the old database any more";
  step = 4;
  helper.join();
  EXPECT_EQ(helperFirst, "DE");
  EXPECT_EQ(helperSecond, "FR");
}

// Two handles used alternately by one thread each answer from their own file.
TEST_F(GeoDatabaseTest, TwoHandlesOnOneThreadKeepTheirOwnAnswers) {
  GeoDatabase a(v1_);
  GeoDatabase b(v2_);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.lookup(ip("2.16.1.1")).location.country, "DE");
    ASSERT_EQ(b.lookup(ip("2.16.1.1")).location.country, "FR");
  }
}

TEST(FileStamp, DetectsMissingAndChangedFiles) {
  const auto path = testing::fixtureDir() / ("stamp-" + std::to_string(::getpid()));
  fs::remove(path);
  EXPECT_FALSE(statFile(path.string()).exists);
  { std::ofstream(path) << "a"; }
  const FileStamp a = statFile(path.string());
  EXPECT_TRUE(a.exists);
  { std::ofstream(path) << "abc"; }
  EXPECT_NE(statFile(path.string()), a);
  fs::remove(path);
}

}  // namespace
}  // namespace consentry::geo
