#include "geo/geo_database.h"

#include <sys/stat.h>

#include <utility>

namespace consentry::geo {
namespace {

// The database this thread looked up in last. Generations are unique across every GeoDatabase,
// so one slot serves any number of handles (a thread alternating between two only reloads it).
struct ThreadSnapshot {
  uint64_t generation = 0;
  std::shared_ptr<const GeoDb> db;
};

ThreadSnapshot& threadSnapshot() {
  thread_local ThreadSnapshot held;
  return held;
}

}  // namespace

FileStamp statFile(const std::string& path) {
  FileStamp stamp;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return stamp;
  stamp.exists = true;
  stamp.device = static_cast<uint64_t>(st.st_dev);
  stamp.inode = static_cast<uint64_t>(st.st_ino);
  stamp.mtimeNs = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  stamp.size = static_cast<int64_t>(st.st_size);
  return stamp;
}

GeoDatabase::GeoDatabase(std::string path) : path_(std::move(path)) {
  stamp_ = statFile(path_);
  auto opened = GeoDb::open(path_);
  if (opened) {
    install(std::move(*opened));
  } else {
    lastError_ = opened.error().message;
  }
}

void GeoDatabase::install(std::shared_ptr<const GeoDb> db) {
  const uint64_t generation = db->generation();
  db_.store(std::move(db), std::memory_order_release);
  // After db_: a thread that sees this generation then loads this database or a newer one.
  generation_.store(generation, std::memory_order_release);
}

GeoResult GeoDatabase::lookup(const IpAddress& address) const {
  const uint64_t current = generation_.load(std::memory_order_acquire);
  if (current == 0) return GeoResult{GeoStatus::Error, {}};
  ThreadSnapshot& held = threadSnapshot();
  if (held.generation != current) {
    // The held generation is always the held database's own, so a reload racing with this
    // load is only noticed on the next lookup, never mislabelled.
    held.db = db_.load(std::memory_order_acquire);
    held.generation = held.db->generation();
  }
  return held.db->lookup(address);
}

Result<bool> GeoDatabase::reloadIfChanged() {
  std::lock_guard lock(reloadMutex_);
  const FileStamp now = statFile(path_);
  if (now == stamp_) return false;
  stamp_ = now;
  auto opened = GeoDb::open(path_);
  if (!opened) {
    lastError_ = opened.error().message;
    return opened.error();
  }
  install(std::move(*opened));
  lastError_.clear();
  return true;
}

std::string GeoDatabase::lastError() const {
  std::lock_guard lock(reloadMutex_);
  return lastError_;
}

}  // namespace consentry::geo
