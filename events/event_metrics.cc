#include "events/event_metrics.h"

#include <charconv>

namespace consentry::events {

std::string_view dropReasonName(DropReason reason) {
  switch (reason) {
    case DropReason::OutboxFull:
      return "outbox_full";
    case DropReason::SinkQueueFull:
      return "sink_queue_full";
    case DropReason::SpoolFull:
      return "spool_full";
    case DropReason::SpoolCorrupt:
      return "spool_corrupt";
    case DropReason::DeadLetter:
      return "dead_letter";
    case DropReason::Stopped:
      return "stopped";
    case DropReason::NoRoute:
      return "no_route";
  }
  return "unknown";
}

EventMetrics& EventMetrics::global() {
  static EventMetrics metrics;
  return metrics;
}

SinkCounters& EventMetrics::sink(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = sinks_.find(name);
  if (it == sinks_.end()) {
    it = sinks_.emplace(std::string(name), std::make_unique<SinkCounters>()).first;
  }
  return *it->second;
}

namespace {

// Sink names come from the config; a label value must escape backslash, quote and newline.
std::string labelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void EventMetrics::forEachMetric(const std::function<void(const MetricSample&)>& callback) const {
  std::lock_guard lock(mutex_);
  static constexpr std::string_view kResults[] = {"written", "retried", "spooled", "dropped",
                                                  "failed"};
  for (const auto& [name, c] : sinks_) {
    const std::atomic<uint64_t>* values[] = {&c->written, &c->retried, &c->spooled, &c->dropped,
                                             &c->failed};
    std::string sinkLabel = "sink=\"" + labelValue(name) + "\"";
    for (size_t i = 0; i < std::size(kResults); ++i) {
      callback({"consentry_events_total", "counter",
                sinkLabel + ",result=\"" + std::string(kResults[i]) + "\"",
                static_cast<double>(values[i]->load(std::memory_order_relaxed))});
    }
  }
  for (int i = 0; i < kDropReasonCount; ++i) {
    callback({"consentry_events_dropped_total", "counter",
              "reason=\"" + std::string(dropReasonName(static_cast<DropReason>(i))) + "\"",
              static_cast<double>(dropped_[i].load(std::memory_order_relaxed))});
  }
  for (const auto& [name, c] : sinks_) {
    callback({"consentry_spool_bytes", "gauge", "sink=\"" + labelValue(name) + "\"",
              static_cast<double>(c->spoolBytes.load(std::memory_order_relaxed))});
  }
}

void EventMetrics::renderPrometheus(std::string& out) const {
  std::string_view last;
  forEachMetric([&](const MetricSample& s) {
    if (s.name != last) {
      last = s.name;
      const char* help = s.name == "consentry_events_total"  ? "Events handled by each sink"
                         : s.name == "consentry_spool_bytes" ? "Bytes in each sink's disk spool"
                                                             : "Events dropped, by reason";
      out.append("# HELP ").append(s.name).append(" ").append(help).append("\n");
      out.append("# TYPE ").append(s.name).append(" ").append(s.type).append("\n");
    }
    out.append(s.name).append("{").append(s.labels).append("} ");
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(s.value));
    out.append(buf, end).append("\n");
  });
}

}  // namespace consentry::events
