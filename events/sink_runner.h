#pragma once
// One sink's thread and its bounded queue of encoded batches. The dispatcher offers batches and
// never waits (offer() fails when the queue is full); the sink thread writes them in order and
// calls Sink::tick() at least every 100 ms.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "events/event_metrics.h"
#include "events/sinks/sink.h"

namespace consentry::events {

using Batch = std::vector<EncodedEvent>;

class SinkRunner {
 public:
  SinkRunner(std::unique_ptr<Sink> sink, config::Sink config, size_t maxQueuedEvents);
  ~SinkRunner();  // stops (no deadline) if still running
  SinkRunner(const SinkRunner&) = delete;
  SinkRunner& operator=(const SinkRunner&) = delete;

  void start();  // idempotent
  // Queues the batch unless that would exceed the bound. With a deadline, waits for room until
  // then (used only while draining at shutdown). On failure the batch is left untouched.
  bool offer(Batch& batch,
             std::optional<std::chrono::steady_clock::time_point> waitUntil = std::nullopt);
  // Full queue: hands the batch to the sink's spool, or counts it dropped for `reason`.
  void overflow(Batch& batch, DropReason reason = DropReason::SinkQueueFull);
  void requestReopen();
  // Writes what is queued (until `deadline`; the rest is spooled or counted dropped), flushes the
  // sink and joins its thread. Returns false when something was not written by the deadline.
  bool stop(std::chrono::steady_clock::time_point deadline);

  const config::Sink& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  std::optional<std::string> readinessFailure() const;

 private:
  void run();

  std::unique_ptr<Sink> sink_;
  config::Sink config_;
  SinkCounters& counters_;
  size_t maxQueued_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;   // the sink thread: work, stop or reopen
  std::condition_variable space_;  // a shutdown-time offer waiting for room
  std::deque<Batch> queue_;
  size_t queued_ = 0;
  bool stopping_ = false;
  bool reopen_ = false;
  bool incomplete_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::optional<std::string> readiness_;
  std::thread thread_;
};

// Field-by-field equality: a reload keeps a sink (and its open file or connection) only when
// nothing in its section changed.
bool sameSinkConfig(const config::Sink& a, const config::Sink& b);

}  // namespace consentry::events
