#include "proxy/admin/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/units.h"

namespace consentry::admin {

namespace {

constexpr size_t kWakeBytes = 64 * kKiB;
constexpr size_t kMaxBufferedBytes = 4 * kMiB;
constexpr auto kFlushInterval = std::chrono::milliseconds(200);

struct alignas(64) Slot {
  std::mutex mutex;
  std::string lines;
};

Result<AccessLogFormat> parseFormat(const std::string& format) {
  if (format == "json") return AccessLogFormat::Json;
  if (format == "combined") return AccessLogFormat::Combined;
  return makeError("access_log.format: '" + format + "' is not json or combined");
}

bool isFilePath(const std::string& path) {
  return path != "stdout" && path != "off";
}

Result<int> openFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return makeError("access_log: cannot open " + path + ": " + std::strerror(errno));
  return fd;
}

}  // namespace

struct AccessLog::Impl {
  std::vector<std::unique_ptr<Slot>> slots;
  std::atomic<bool> enabled{false};
  std::atomic<AccessLogFormat> format{AccessLogFormat::Json};
  std::atomic<config::IpRule> ip{config::IpRule::Truncate};
  std::atomic<bool> reopenRequested{false};

  std::mutex outputMutex;  // fd and path; held while writing
  std::string path;
  int fd = -1;  // -1 for off; STDOUT_FILENO for stdout (never closed)

  std::mutex wakeMutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread writer;

  Counter& lines;
  Counter& dropped;
  Counter& writeErrors;

  explicit Impl(MetricsRegistry& registry)
      : lines(registry.counter("consentry_access_log_lines_total",
                               "Access log lines accepted for writing.")),
        dropped(registry.counter("consentry_access_log_dropped_total",
                                 "Access log lines dropped because the output was too slow.")),
        writeErrors(registry.counter("consentry_access_log_write_errors_total",
                                     "Failed writes to the access log output.")) {}

  ~Impl() {
    if (fd > STDERR_FILENO) ::close(fd);
  }

  void closeOutput() {
    if (fd > STDERR_FILENO) ::close(fd);
    fd = -1;
  }

  // Caller holds outputMutex.
  void reopenIfRequested() {
    if (!reopenRequested.exchange(false) || !isFilePath(path)) return;
    auto reopened = openFile(path);
    if (!reopened) {
      writeErrors.inc();  // keep writing to the old descriptor rather than losing lines
      return;
    }
    closeOutput();
    fd = *reopened;
  }

  // Caller holds outputMutex.
  void writeAll(std::string_view data) {
    if (fd < 0) return;
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        writeErrors.inc();
        return;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  void drain() {
    std::lock_guard output(outputMutex);
    reopenIfRequested();
    std::string batch;
    for (auto& slot : slots) {
      {
        std::lock_guard lock(slot->mutex);
        if (slot->lines.empty()) continue;
        batch.swap(slot->lines);
      }
      writeAll(batch);
      batch.clear();
    }
  }

  void run() {
    std::unique_lock lock(wakeMutex);
    while (!stopping) {
      wake.wait_for(lock, kFlushInterval);
      lock.unlock();
      drain();
      lock.lock();
    }
  }
};

AccessLog::AccessLog(Key, std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<AccessLog>> AccessLog::open(const config::AccessLog& config,
                                                   unsigned workers, MetricsRegistry& registry) {
  auto impl = std::make_unique<Impl>(registry);
  for (unsigned i = 0; i <= workers; ++i) impl->slots.push_back(std::make_unique<Slot>());
  auto log = std::make_unique<AccessLog>(Key{}, std::move(impl));
  if (auto r = log->reconfigure(config); !r) return r.error();
  Impl* self = log->impl_.get();
  self->writer = std::thread([self] { self->run(); });
  return log;
}

AccessLog::~AccessLog() {  // NOLINT(bugprone-exception-escape): see the header
  {
    std::lock_guard lock(impl_->wakeMutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  if (impl_->writer.joinable()) impl_->writer.join();
  impl_->drain();
}

bool AccessLog::enabled() const {
  return impl_->enabled.load(std::memory_order_relaxed);
}

void AccessLog::record(unsigned worker, const AccessLogEntry& entry) {
  if (!enabled()) return;
  Slot& slot = *impl_->slots[std::min<size_t>(worker, impl_->slots.size() - 1)];
  bool wake = false;
  {
    std::lock_guard lock(slot.mutex);
    if (slot.lines.size() >= kMaxBufferedBytes) {
      impl_->dropped.inc();
      return;
    }
    const size_t before = slot.lines.size();
    appendAccessLogLine(slot.lines, entry, impl_->format.load(std::memory_order_relaxed),
                        impl_->ip.load(std::memory_order_relaxed));
    wake = before < kWakeBytes && slot.lines.size() >= kWakeBytes;
  }
  impl_->lines.inc();
  if (wake) impl_->wake.notify_one();
}

void AccessLog::reopen() {
  impl_->reopenRequested.store(true);
}

Result<void> AccessLog::reconfigure(const config::AccessLog& config) {
  auto format = parseFormat(config.format);
  if (!format) return format.error();
  Impl& s = *impl_;
  {
    std::lock_guard output(s.outputMutex);
    if (config.path != s.path || (s.fd < 0 && config.path != "off")) {
      int fd = -1;
      if (config.path == "stdout") {
        fd = STDOUT_FILENO;
      } else if (isFilePath(config.path)) {
        auto opened = openFile(config.path);
        if (!opened) return opened.error();
        fd = *opened;
      }
      // Lines already buffered belong to the old output.
      std::string batch;
      for (auto& slot : s.slots) {
        {
          std::lock_guard lock(slot->mutex);
          batch.swap(slot->lines);
        }
        s.writeAll(batch);
        batch.clear();
      }
      s.closeOutput();
      s.fd = fd;
      s.path = config.path;
    }
  }
  s.format.store(*format);
  s.ip.store(config.ip);
  s.enabled.store(config.path != "off");
  return {};
}

void AccessLog::flush() {
  impl_->drain();
}

}  // namespace consentry::admin
