#pragma once
// The `stdout` sink: JSON Lines on standard output (or any fd, for tests), one write per batch.

#include <string>

#include "events/event_metrics.h"
#include "events/sinks/sink.h"

namespace consentry::events {

class StdoutSink final : public Sink {
 public:
  explicit StdoutSink(std::string name, int fd = 1);

  std::string_view name() const override { return name_; }
  void write(std::span<const EncodedEvent> batch) override;
  void tick(std::chrono::steady_clock::time_point) override {}
  void flush() override {}
  std::optional<std::string> readinessFailure() const override { return error_; }

 private:
  std::string name_;
  int fd_;
  SinkCounters& counters_;
  std::string buffer_;
  std::optional<std::string> error_;
};

}  // namespace consentry::events
