#include "events/sink_runner.h"

namespace consentry::events {

using Clock = std::chrono::steady_clock;

SinkRunner::SinkRunner(std::unique_ptr<Sink> sink, config::Sink config, size_t maxQueuedEvents)
    : sink_(std::move(sink)),
      config_(std::move(config)),
      counters_(EventMetrics::global().sink(config_.name)),
      maxQueued_(maxQueuedEvents) {}

SinkRunner::~SinkRunner() {
  stop(Clock::time_point::max());
}

void SinkRunner::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { run(); });
}

bool SinkRunner::offer(Batch& batch, std::optional<Clock::time_point> waitUntil) {
  std::unique_lock lock(mutex_);
  // An oversized batch is still accepted into an empty queue, so it can never be stuck forever.
  auto fits = [&] { return queued_ == 0 || queued_ + batch.size() <= maxQueued_; };
  if (!fits()) {
    if (!waitUntil || !space_.wait_until(lock, *waitUntil, fits)) return false;
  }
  queued_ += batch.size();
  queue_.push_back(std::move(batch));
  batch.clear();
  lock.unlock();
  wake_.notify_one();
  return true;
}

void SinkRunner::overflow(Batch& batch, DropReason reason) {
  if (batch.empty()) return;
  if (!sink_->overflow(batch)) {
    counters_.dropped.fetch_add(batch.size(), std::memory_order_relaxed);
    EventMetrics::global().dropped(reason, batch.size());
  }
  batch.clear();
}

void SinkRunner::requestReopen() {
  {
    std::lock_guard lock(mutex_);
    reopen_ = true;
  }
  wake_.notify_one();
}

bool SinkRunner::stop(Clock::time_point deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return !incomplete_;
    stopping_ = true;
    deadline_ = deadline;
  }
  wake_.notify_one();
  thread_.join();
  std::lock_guard lock(mutex_);
  return !incomplete_;
}

std::optional<std::string> SinkRunner::readinessFailure() const {
  std::lock_guard lock(mutex_);
  return readiness_;
}

void SinkRunner::run() {
  constexpr auto kTick = std::chrono::milliseconds(100);
  Clock::time_point nextTick = Clock::now() + kTick;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_until(lock, nextTick, [&] { return !queue_.empty() || stopping_ || reopen_; });
    if (reopen_) {
      reopen_ = false;
      lock.unlock();
      sink_->reopen();
      lock.lock();
    }
    if (!queue_.empty()) {
      Batch batch = std::move(queue_.front());
      queue_.pop_front();
      queued_ -= batch.size();
      bool late = stopping_ && Clock::now() >= deadline_;
      lock.unlock();
      space_.notify_one();
      if (late) {
        // Past the drain deadline: keep the events on disk if the sink can, never wait.
        overflow(batch, DropReason::Stopped);
      } else {
        sink_->write(batch);
      }
      lock.lock();
      incomplete_ = incomplete_ || late;
    } else if (stopping_) {
      break;
    }
    Clock::time_point now = Clock::now();
    if (now >= nextTick) {
      lock.unlock();
      sink_->tick(now);
      std::optional<std::string> failure = sink_->readinessFailure();
      lock.lock();
      readiness_ = std::move(failure);
      nextTick = now + kTick;
    }
  }
  lock.unlock();
  sink_->flush();
}

bool sameSinkConfig(const config::Sink& a, const config::Sink& b) {
  return a.name == b.name && a.type == b.type && a.format == b.format && a.path == b.path &&
         a.rotateMaxBytes == b.rotateMaxBytes && a.rotateMaxAge == b.rotateMaxAge &&
         a.fsync == b.fsync && a.url == b.url && a.batchMaxEvents == b.batchMaxEvents &&
         a.batchMaxBytes == b.batchMaxBytes && a.batchMaxDelay == b.batchMaxDelay &&
         a.timeout == b.timeout && a.gzip == b.gzip && a.headers == b.headers &&
         a.deadLetter == b.deadLetter && a.brokers == b.brokers && a.topic == b.topic &&
         a.key == b.key && a.properties == b.properties && a.spool.dir == b.spool.dir &&
         a.spool.maxBytes == b.spool.maxBytes;
}

}  // namespace consentry::events
