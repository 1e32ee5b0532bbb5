#pragma once
// The access log (SPEC §7, config `access_log`): stdout, a file, or off. Workers never write:
// record() formats into the worker's own buffer (a mutex only the flusher ever contends), and a
// background thread writes the buffers out every 200 ms or when one passes 64 KiB. If the output
// cannot keep up, a buffer stops growing at 4 MiB and further lines are dropped and counted
// (consentry_access_log_dropped_total): a slow disk never slows traffic.
//
//   auto log = AccessLog::open(config->accessLog, workerCount);   // Result<unique_ptr<AccessLog>>
//   (*log)->record(workerIndex, entry);                            // on the worker thread
//   (*log)->reopen();                                              // SIGUSR1 (logrotate)

#include <memory>

#include "base/result.h"
#include "config/config.h"
#include "proxy/admin/access_log_format.h"
#include "proxy/admin/metrics.h"

namespace consentry::admin {

class AccessLog {
 public:
  // Opens the file (appending, created 0640) unless the path is "stdout" or "off". `workers`
  // buffers are made; a worker index beyond them (a non-worker thread) shares one more.
  static Result<std::unique_ptr<AccessLog>> open(const config::AccessLog& config, unsigned workers,
                                                 MetricsRegistry& registry = metrics());
  // Writes out what is buffered. Locking and joining throw only on a broken program state.
  ~AccessLog();  // NOLINT(bugprone-exception-escape)
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // False for `path: off`: a worker may skip filling the entry.
  bool enabled() const;
  void record(unsigned worker, const AccessLogEntry& entry);
  // Reopens the file by its path before the next write (after logrotate moved it). Only sets a
  // flag, so it is safe even from a signal handler.
  void reopen();
  // A reloaded config's access_log: format and IP rule apply to the next record(), a new path is
  // opened now (an error keeps the current output). Thread-safe.
  Result<void> reconfigure(const config::AccessLog& config);
  // Writes every line recorded before the call; for shutdown and tests.
  void flush();

 private:
  struct Impl;
  struct Key {};  // open() is the only way in: make_unique needs a public constructor

 public:
  AccessLog(Key, std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace consentry::admin
