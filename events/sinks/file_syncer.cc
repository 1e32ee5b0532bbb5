#include "events/sinks/file_syncer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace consentry::events {

FileSyncer::FileSyncer() : thread_([this] { run(); }) {}

FileSyncer::~FileSyncer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void FileSyncer::syncSoon(int fd) {
  std::unique_lock lock(mutex_);
  if (queuedSync_) return;
  int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) {
    error_ = errno;
    return;
  }
  jobs_.push_back({copy, true});
  queuedSync_ = true;
  lock.unlock();
  wake_.notify_one();
}

void FileSyncer::retire(int fd) {
  if (fd < 0) return;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back({fd, false});
  }
  wake_.notify_one();
}

void FileSyncer::drain() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return jobs_.empty() && !busy_; });
}

int FileSyncer::takeError() {
  std::lock_guard lock(mutex_);
  int e = error_;
  error_ = 0;
  return e;
}

void FileSyncer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, nothing left
    Job job = jobs_.front();
    jobs_.pop_front();
    if (job.coalescing) queuedSync_ = false;
    busy_ = true;
    lock.unlock();
    int err = ::fdatasync(job.fd) == 0 ? 0 : errno;
    ::close(job.fd);
    lock.lock();
    busy_ = false;
    if (err != 0) error_ = err;
    if (jobs_.empty()) idle_.notify_all();
  }
}

}  // namespace consentry::events
