#pragma once
// The process-wide, hot-reloadable geo database handle. Workers look up through it without locks;
// a reload opens the new file first and swaps it in atomically, so a lookup sees either the old
// or the new database, and a bad new file leaves the old one serving.
//
// A lookup does not copy the shared_ptr (two atomic read-modify-writes on a count every worker
// shares): each thread keeps the database it used last, and checks it is still the current one
// with one acquire load of the current database's generation. An old database therefore stays
// mapped until every thread that used it has looked up again (or exited).

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "base/ip_address.h"
#include "base/result.h"
#include "geo/geo_db.h"

namespace consentry::geo {

// What identifies one version of the file on disk.
struct FileStamp {
  bool exists = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t mtimeNs = 0;
  int64_t size = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp statFile(const std::string& path);

class GeoDatabase {
 public:
  // Opens `path` now. A failure is not fatal at run time: lookups report GeoStatus::Error until
  // a reload succeeds, and lastError() says why (`--check` uses validateGeoDatabase instead).
  explicit GeoDatabase(std::string path);

  GeoDatabase(const GeoDatabase&) = delete;
  GeoDatabase& operator=(const GeoDatabase&) = delete;

  const std::string& path() const { return path_; }

  // The current database, or null when none could be opened. Hold it for a whole request to
  // get consistent answers across several lookups.
  std::shared_ptr<const GeoDb> snapshot() const { return db_.load(std::memory_order_acquire); }

  // Lookup in the current database; GeoStatus::Error when there is none.
  GeoResult lookup(const IpAddress& address) const;

  // Reopens the file when its device, inode, mtime or size changed since the last attempt
  // (called on SIGHUP and from a timer). true: a new database was swapped in; false: nothing
  // changed. An error keeps the previous database serving; the same file is not retried until
  // it changes again.
  Result<bool> reloadIfChanged();

  // The last open/reload failure, empty after a success.
  std::string lastError() const;

 private:
  std::string path_;
  std::atomic<std::shared_ptr<const GeoDb>> db_;
  // db_'s generation (0: none), stored after db_: the one load the lookup path makes.
  std::atomic<uint64_t> generation_{0};
  mutable std::mutex reloadMutex_;  // serialises reloads; lookups never take it
  FileStamp stamp_;                 // the version last attempted
  std::string lastError_;

  void install(std::shared_ptr<const GeoDb> db);
};

}  // namespace consentry::geo
