#include "geo/geo_database.h"

#include <sys/stat.h>

#include <utility>

namespace consentry::geo {

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
    db_.store(std::move(*opened), std::memory_order_release);
  } else {
    lastError_ = opened.error().message;
  }
}

GeoResult GeoDatabase::lookup(const IpAddress& address) const {
  const auto db = snapshot();
  if (!db) return GeoResult{GeoStatus::Error, {}};
  return db->lookup(address);
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
  db_.store(std::move(*opened), std::memory_order_release);
  lastError_.clear();
  return true;
}

std::string GeoDatabase::lastError() const {
  std::lock_guard lock(reloadMutex_);
  return lastError_;
}

}  // namespace consentry::geo
