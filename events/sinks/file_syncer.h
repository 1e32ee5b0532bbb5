#pragma once
// fdatasync for the file sink on a thread of its own. On a disk slower than the event stream, a
// sync of one interval's worth of data (or of a 100 MiB file being rotated away) takes seconds;
// done on the sink thread it would stall every event behind it. Here the sink thread keeps
// writing into the page cache while the disk catches up. The cost: a machine crash can lose one
// `fsync` interval plus the time the disk needs to write it (docs/events.md).

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace consentry::events {

class FileSyncer {
 public:
  FileSyncer();
  ~FileSyncer();  // syncs and closes everything still queued
  FileSyncer(const FileSyncer&) = delete;
  FileSyncer& operator=(const FileSyncer&) = delete;

  // Queues an fdatasync of the file behind `fd` (the caller keeps its descriptor). Skipped when
  // one is queued and not yet started: it will cover everything written until it starts.
  void syncSoon(int fd);
  // Takes ownership of `fd`: syncs it, then closes it (a rotated or reopened file).
  void retire(int fd);
  // Returns once every job queued so far has finished.
  void drain();
  // The errno of a failed sync since the last call, or 0.
  int takeError();

 private:
  struct Job {
    int fd;           // owned: a dup for syncSoon, the caller's descriptor for retire
    bool coalescing;  // a syncSoon job: clears queuedSync_ when it starts
  };
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> jobs_;
  bool queuedSync_ = false;
  bool busy_ = false;
  bool stopping_ = false;
  int error_ = 0;
  std::thread thread_;
};

}  // namespace consentry::events
