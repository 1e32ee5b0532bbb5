#include "events/sinks/spooling_sink.h"

namespace consentry::events {
namespace {

using Clock = std::chrono::steady_clock;

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<Spool>> SpoolingSink::openSpool(const std::string& name,
                                                       const RetryOptions& options) {
  Spool::Options so;
  so.dir = options.spoolDir;
  so.maxBytes = options.spoolMaxBytes;
  so.counters = &EventMetrics::global().sink(name);
  auto spool = Spool::open(so);
  if (!spool) return makeError("sink " + name + ": " + spool.error().message);
  return std::move(spool.value());
}

SpoolingSink::SpoolingSink(std::string_view name, std::string destination,
                           const RetryOptions& options, std::unique_ptr<Spool> spool)
    : counters_(EventMetrics::global().sink(name)),
      spool_(std::move(spool)),
      backoff_(options.backoffBase, options.backoffCap),
      destination_(std::move(destination)),
      readinessGrace_(options.readinessGrace) {}

bool SpoolingSink::overflow(std::span<const EncodedEvent> batch) {
  spool_->append(batch);  // counts spooled, or dropped when full
  return true;
}

void SpoolingSink::markFailing(std::string reason) {
  int64_t expected = 0;
  failingSinceNs_.compare_exchange_strong(expected, nowNs());
  std::lock_guard lock(reasonMutex_);
  failReason_ = std::move(reason);
}

std::optional<std::string> SpoolingSink::readinessFailure() const {
  int64_t since = failingSinceNs_.load();
  if (since == 0) return std::nullopt;
  auto failingFor = std::chrono::nanoseconds(nowNs() - since);
  if (failingFor <= readinessGrace_) return std::nullopt;
  std::lock_guard lock(reasonMutex_);
  return "sink " + std::string(name()) + ": " + destination_ + " failing for " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(failingFor).count()) +
         " s: " + failReason_;
}

}  // namespace consentry::events
