#include "events/sinks/stdout_sink.h"

#include <cstring>

#include "events/sinks/fd_io.h"

namespace consentry::events {

StdoutSink::StdoutSink(std::string name, int fd)
    : name_(std::move(name)), fd_(fd), counters_(EventMetrics::global().sink(name_)) {}

void StdoutSink::write(std::span<const EncodedEvent> batch) {
  buffer_.clear();
  for (const EncodedEvent& e : batch) buffer_.append(e.payload).push_back('\n');
  int err = writeAll(fd_, buffer_);
  if (err != 0) {
    error_ = "sink " + name_ + ": write: " + std::strerror(err);
    counters_.failed.fetch_add(batch.size(), std::memory_order_relaxed);
  } else {
    error_.reset();
    counters_.written.fetch_add(batch.size(), std::memory_order_relaxed);
  }
  // A huge batch must not pin its memory for the life of the process.
  if (buffer_.capacity() > (8u << 20)) std::string().swap(buffer_);
}

}  // namespace consentry::events
