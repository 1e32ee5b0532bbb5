#pragma once
// Counters of the event stream (SPEC §7), kept as plain atomics so that events/ needs nothing from
// proxy/: the admin server renders them with renderPrometheus() or walks them with forEachMetric().
// Counters live for the whole process (one registry, keyed by sink name) so they stay monotonic
// across config reloads.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace consentry::events {

// Per-sink counters behind consentry_events_total{sink,result} and consentry_spool_bytes{sink}.
// Each sink counts what it finally did with an event; the pipeline counts what it dropped or
// handed to Sink::overflow() on the sink's behalf.
struct SinkCounters {
  std::atomic<uint64_t> written{0};    // accepted by the destination (file: handed to the kernel)
  std::atomic<uint64_t> retried{0};    // re-sent after a transient failure
  std::atomic<uint64_t> spooled{0};    // stored in the sink's disk spool
  std::atomic<uint64_t> dropped{0};    // given up on because a bound was hit (queue, spool)
  std::atomic<uint64_t> failed{0};     // rejected by the destination or a local I/O error
  std::atomic<int64_t> spoolBytes{0};  // gauge: bytes currently in the sink's spool
};

// Label values of consentry_events_dropped_total{reason}.
enum class DropReason : uint8_t {
  OutboxFull,     // "outbox_full": a worker's ring was full
  SinkQueueFull,  // "sink_queue_full": a sink's queue was full and it has no spool
  SpoolFull,      // "spool_full": the spool reached max_bytes
  SpoolCorrupt,   // "spool_corrupt": a torn or corrupt spool record was skipped
  DeadLetter,     // "dead_letter": rejected by the destination (4xx), kept in the dead-letter file
  Stopped,        // "stopped": pushed after the pipeline stopped, or not flushed by the deadline
  NoRoute,        // "no_route": the event's region routes to no configured sink
};
inline constexpr int kDropReasonCount = 7;
std::string_view dropReasonName(DropReason reason);

// One sample for forEachMetric(): name without labels, labels rendered as `k="v",k2="v2"`.
struct MetricSample {
  std::string_view name;
  std::string_view type;  // "counter" | "gauge"
  std::string labels;
  double value = 0;
};

class EventMetrics {
 public:
  // The process-wide registry used by the pipeline and every sink.
  static EventMetrics& global();

  // Stable reference for the sink named `name`, created on first use. Thread-safe.
  SinkCounters& sink(std::string_view name);
  void dropped(DropReason reason, uint64_t count = 1) {
    dropped_[static_cast<int>(reason)].fetch_add(count, std::memory_order_relaxed);
  }
  uint64_t droppedCount(DropReason reason) const {
    return dropped_[static_cast<int>(reason)].load(std::memory_order_relaxed);
  }

  void forEachMetric(const std::function<void(const MetricSample&)>& callback) const;
  // Appends Prometheus text exposition lines (with # HELP / # TYPE) for all event metrics.
  void renderPrometheus(std::string& out) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<SinkCounters>, std::less<>> sinks_;
  std::atomic<uint64_t> dropped_[kDropReasonCount] = {};
};

}  // namespace consentry::events
