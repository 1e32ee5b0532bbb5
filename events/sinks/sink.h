#pragma once
// The interface every event sink implements (file, stdout, http, kafka). A sink runs on its own
// thread, fed in batches by the pipeline (events/pipeline.h); nothing here ever runs on a worker.
// Delivery is at-least-once: write() returns only once each event is accepted by the destination,
// or stored in the sink's disk spool (events/sinks/spool.h), or counted as dropped.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace consentry::events {

// One event, serialized once per format by the pipeline.
struct EncodedEvent {
  std::string id;   // the event's UUIDv7 (dedup key for consumers)
  std::string key;  // partition key: the visitor id, or empty
  std::string region;
  std::string payload;  // one JSON object, no trailing newline (format chosen by the sink config)
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual std::string_view name() const = 0;

  // Delivers (or spools) a batch. Called on the sink thread only.
  virtual void write(std::span<const EncodedEvent> batch) = 0;
  // Periodic work on the sink thread: flush/fsync on interval, rotation by age, retries, spool
  // replay once the destination is back. Called at least every 100 ms.
  virtual void tick(std::chrono::steady_clock::time_point now) = 0;
  // Make everything written so far durable or spooled; called at shutdown and on reload.
  virtual void flush() = 0;
  // SIGUSR1: reopen files (logrotate).
  virtual void reopen() {}
  // The pipeline calls this when the sink's queue is full, on the DISPATCHER thread (concurrently
  // with write()/tick() on the sink thread), and at shutdown on the sink thread for batches left
  // past the drain deadline: a sink with a disk spool stores the batch there and returns true (it
  // then counts the events as spooled or, spool full, dropped in events/event_metrics.h); the
  // default returns false and the pipeline counts the batch as dropped. Must not block for long.
  virtual bool overflow(std::span<const EncodedEvent> batch) {
    (void)batch;
    return false;
  }
  // A reason while the sink has been failing long enough to make the process not ready.
  virtual std::optional<std::string> readinessFailure() const { return std::nullopt; }
};

}  // namespace consentry::events
