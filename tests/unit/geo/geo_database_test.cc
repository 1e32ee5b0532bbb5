#include "geo/geo_database.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

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
  void SetUp() override {
    const std::string tag = std::to_string(::getpid());
    v1_ = buildMmdb("reload-v1-" + tag, {{"2.16.0.0/16", "DE", "BE", "EU", ""}});
    v2_ = buildMmdb("reload-v2-" + tag, {{"2.16.0.0/16", "FR", "IDF", "EU", ""}});
    live_ = (testing::fixtureDir() / ("reload-live-" + tag + ".mmdb")).string();
    ASSERT_FALSE(v1_.empty());
    ASSERT_FALSE(v2_.empty());
  }
  void TearDown() override {
    for (const auto& p : {v1_, v2_, live_}) fs::remove(p);
  }
  // Replaces the live file the way an updater should: write aside, then rename.
  void install(const std::string& from) {
    const std::string tmp = live_ + ".new";
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
    fs::rename(tmp, live_);
  }
  std::string v1_, v2_, live_;
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
