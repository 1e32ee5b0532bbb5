#pragma once
// What the http and kafka sinks share: a disk spool for what the destination could not take yet,
// the backoff between attempts, and the "failing since" state behind /readyz. The derived sink
// decides when a delivery failed or succeeded; this base keeps the bookkeeping in one place.
// overflow() runs on the dispatcher thread and readinessFailure() on the admin thread: both only
// touch the thread-safe spool and the atomics/mutex below.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "events/event_metrics.h"
#include "events/sinks/backoff.h"
#include "events/sinks/sink.h"
#include "events/sinks/spool.h"

namespace consentry::events {

class SpoolingSink : public Sink {
 public:
  struct RetryOptions {
    std::string spoolDir;
    uint64_t spoolMaxBytes = uint64_t{1} << 30;
    std::chrono::milliseconds readinessGrace = std::chrono::seconds(30);
    std::chrono::milliseconds backoffBase = std::chrono::milliseconds(100);
    std::chrono::milliseconds backoffCap = std::chrono::seconds(30);
  };

  // Opens the spool of the sink named `name` (errors are prefixed with "sink <name>: ").
  static Result<std::unique_ptr<Spool>> openSpool(const std::string& name,
                                                  const RetryOptions& options);

  // Stores the batch in the spool (counted spooled, or dropped when full).
  bool overflow(std::span<const EncodedEvent> batch) override;
  // Set once the sink has been failing for longer than the readiness grace.
  std::optional<std::string> readinessFailure() const override;

  const Spool& spool() const { return *spool_; }
  const SinkCounters& counters() const { return counters_; }

 protected:
  // `destination` names what fails in the readiness message ("collector", "kafka").
  SpoolingSink(std::string_view name, std::string destination, const RetryOptions& options,
               std::unique_ptr<Spool> spool);

  // Records the latest error; the failing period starts at the first one after a success.
  void markFailing(std::string reason);
  void markHealthy() { failingSinceNs_.store(0); }

  SinkCounters& counters_;
  std::unique_ptr<Spool> spool_;
  Backoff backoff_;

 private:
  std::string destination_;
  std::chrono::milliseconds readinessGrace_;
  std::atomic<int64_t> failingSinceNs_{0};  // steady clock; 0: healthy
  mutable std::mutex reasonMutex_;
  std::string failReason_;
};

}  // namespace consentry::events
