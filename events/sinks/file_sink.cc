#include "events/sinks/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>

#include "base/units.h"
#include "events/sinks/fd_io.h"

namespace consentry::events {
namespace {

std::string utcStamp() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::open(const config::Sink& config) {
  Options options;
  options.name = config.name;
  options.path = config.path;
  options.rotateMaxBytes = config.rotateMaxBytes;
  options.rotateMaxAge = config.rotateMaxAge;
  options.fsync = config.fsync;
  return open(std::move(options));
}

Result<std::unique_ptr<FileSink>> FileSink::open(Options options) {
  std::unique_ptr<FileSink> sink(new FileSink(std::move(options)));
  if (!sink->openFile()) return makeError("sink " + sink->options_.name + ": " + *sink->error_);
  return sink;
}

FileSink::FileSink(Options options)
    : options_(std::move(options)), counters_(EventMetrics::global().sink(options_.name)) {
  buffer_.reserve(options_.bufferBytes + 64 * kKiB);
}

FileSink::~FileSink() {
  flushBuffer();
  closeFile();
}

bool FileSink::openFile() {
  std::filesystem::path parent = std::filesystem::path(options_.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      setError("cannot create " + parent.string() + ": " + ec.message());
      return false;
    }
  }
  // Events may be personal data: not world-readable.
  fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    setError("cannot open " + options_.path + ": " + std::strerror(errno));
    return false;
  }
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  // The age of a file we append to after a restart counts from now: we cannot know when its
  // first line was written without reading it.
  openedAt_ = lastSync_ = std::chrono::steady_clock::now();
  dirty_ = false;
  error_.reset();
  return true;
}

void FileSink::setError(std::string message) {
  error_ = std::move(message);
}

bool FileSink::flushBuffer() {
  if (buffer_.empty()) return true;
  if (fd_ < 0) {
    buffer_.clear();
    return false;
  }
  int err = writeAll(fd_, buffer_);
  buffer_.clear();
  if (err != 0) {
    setError("write " + options_.path + ": " + std::strerror(err));
    return false;
  }
  dirty_ = true;
  return true;
}

void FileSink::closeFile() {
  if (fd_ < 0) return;
  if (dirty_) ::fdatasync(fd_);
  ::close(fd_);
  fd_ = -1;
  dirty_ = false;
}

void FileSink::retireFile() {
  if (fd_ < 0) return;
  if (dirty_) {
    syncer_.retire(fd_);
  } else {
    ::close(fd_);
  }
  fd_ = -1;
  dirty_ = false;
}

void FileSink::rotate(std::chrono::steady_clock::time_point now) {
  flushBuffer();
  // A rotated file may hold a whole interval of unsynced data (100 MiB by default): syncing it
  // here would stall the sink for seconds on a slow disk. The syncer does it; renaming the open
  // file does not change what the sync covers.
  retireFile();
  std::string base = options_.path + "." + utcStamp();
  std::string target = base;
  for (int n = 1; exists(target); ++n) target = base + "." + std::to_string(n);
  if (::rename(options_.path.c_str(), target.c_str()) != 0) {
    setError("rotate " + options_.path + ": " + std::strerror(errno));
  }
  openFile();
  openedAt_ = now;
}

void FileSink::write(std::span<const EncodedEvent> batch) {
  if (fd_ < 0) {
    counters_.failed.fetch_add(batch.size(), std::memory_order_relaxed);
    return;
  }
  uint64_t ok = 0, failed = 0, pending = 0;
  auto settle = [&](bool flushed) {
    (flushed ? ok : failed) += pending;
    pending = 0;
  };
  for (const EncodedEvent& e : batch) {
    uint64_t line = e.payload.size() + 1;
    if (options_.rotateMaxBytes > 0 && size_ > 0 && size_ + line > options_.rotateMaxBytes) {
      settle(flushBuffer());
      rotate(std::chrono::steady_clock::now());
      if (fd_ < 0) {
        failed += batch.size() - ok - failed;
        break;
      }
    }
    buffer_.append(e.payload).push_back('\n');
    size_ += line;
    ++pending;
    if (buffer_.size() >= options_.bufferBytes) settle(flushBuffer());
  }
  settle(flushBuffer());
  if (options_.fsync.count() == 0 && dirty_ && fd_ >= 0) {
    ::fdatasync(fd_);
    dirty_ = false;
  }
  counters_.written.fetch_add(ok, std::memory_order_relaxed);
  counters_.failed.fetch_add(failed, std::memory_order_relaxed);
}

void FileSink::tick(std::chrono::steady_clock::time_point now) {
  if (fd_ < 0) {
    // A failed open or rotation: retry now and then rather than on every tick.
    if (now - lastRetry_ >= std::chrono::seconds(1)) {
      lastRetry_ = now;
      openFile();
    }
    return;
  }
  if (options_.rotateMaxAge.count() > 0 && size_ > 0 && now - openedAt_ >= options_.rotateMaxAge) {
    rotate(now);
    return;
  }
  if (dirty_ && now - lastSync_ >= options_.fsync) {
    syncer_.syncSoon(fd_);
    dirty_ = false;
    lastSync_ = now;
  }
  if (int err = syncer_.takeError())
    setError("fdatasync " + options_.path + ": " + std::strerror(err));
}

void FileSink::flush() {
  flushBuffer();
  syncer_.drain();  // retired files and queued syncs first: flush() returns with all of it durable
  if (fd_ >= 0 && dirty_) {
    ::fdatasync(fd_);
    dirty_ = false;
    lastSync_ = std::chrono::steady_clock::now();
  }
}

void FileSink::reopen() {
  flushBuffer();
  retireFile();
  openFile();
}

std::optional<std::string> FileSink::readinessFailure() const {
  if (!error_) return std::nullopt;
  return "sink " + options_.name + ": " + *error_;
}

}  // namespace consentry::events
