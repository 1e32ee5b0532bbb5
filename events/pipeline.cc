#include "events/pipeline.h"

#include <algorithm>

#include "events/event_json.h"

namespace consentry::events {

using Clock = std::chrono::steady_clock;

EventPipeline::EventPipeline(PipelineOptions options, SinkMaker maker)
    : options_(std::move(options)), maker_(std::move(maker)) {
  if (options_.cloudEventsSource.empty()) options_.cloudEventsSource = defaultCloudEventSource();
  if (options_.workers == 0) options_.workers = 1;
  if (options_.maxBatch == 0) options_.maxBatch = 1;
  for (size_t i = 0; i < options_.workers; ++i) {
    outboxes_.push_back(std::make_unique<Outbox>(options_.outboxCapacity, &doorbell_));
  }
}

Result<std::unique_ptr<EventPipeline>> EventPipeline::create(const config::Config& config,
                                                             PipelineOptions options,
                                                             SinkMaker maker) {
  std::unique_ptr<EventPipeline> p(new EventPipeline(std::move(options), std::move(maker)));
  auto routing = p->buildRouting(config, nullptr);
  if (!routing) return routing.error();
  p->routing_ = std::move(*routing);
  return p;
}

EventPipeline::~EventPipeline() {
  flushAndStop(Clock::now() + std::chrono::seconds(10));
}

Result<std::shared_ptr<EventPipeline::Routing>> EventPipeline::buildRouting(
    const config::Config& config, const Routing* current) {
  std::vector<config::Sink> sinks = config.sinks;
  if (sinks.empty()) {
    config::Sink fallback;  // SPEC §2: no sinks -> one file sink at events/events.jsonl
    fallback.name = "default";
    sinks.push_back(fallback);
  }
  std::vector<std::string> names;
  for (const config::Sink& s : sinks) {
    if (std::find(names.begin(), names.end(), s.name) != names.end()) {
      return makeError("duplicate sink name \"" + s.name + "\"");
    }
    names.push_back(s.name);
  }
  auto router = Router::build(config, names);
  if (!router) return router.error();

  auto routing = std::make_shared<Routing>(Routing{{}, std::move(*router)});
  for (const config::Sink& s : sinks) {
    std::shared_ptr<SinkRunner> runner;
    if (current) {
      for (const auto& old : current->sinks) {
        if (sameSinkConfig(old->config(), s)) runner = old;
      }
    }
    if (!runner) {
      auto sink = maker_(s);
      if (!sink) return sink.error();
      runner = std::make_shared<SinkRunner>(std::move(sink.value()), s, options_.sinkQueueEvents);
    }
    routing->sinks.push_back(std::move(runner));
  }
  return routing;
}

void EventPipeline::start() {
  std::lock_guard rl(reconfigureMutex_);
  std::lock_guard lock(mutex_);
  if (started_ || stopping_ || !routing_) return;
  started_ = true;
  for (const auto& runner : routing_->sinks) runner->start();
  dispatcher_ = std::thread([this] { run(); });
}

Result<void> EventPipeline::reconfigure(const config::Config& config) {
  std::lock_guard rl(reconfigureMutex_);
  std::shared_ptr<Routing> current;
  bool running;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return makeError("event pipeline is stopping");
    current = routing_;
    running = started_;
  }
  auto next = buildRouting(config, current.get());
  if (!next) return next.error();
  std::shared_ptr<Routing> routing = std::move(*next);
  if (running) {
    for (const auto& runner : routing->sinks) runner->start();
    std::unique_lock lock(mutex_);
    pending_ = routing;
    wake_.notify_all();
    // Once the dispatcher holds the new routing, it has offered everything it drained under
    // the old one: the sinks that went away can be drained and closed.
    swapped_.wait(lock, [&] { return pending_ == nullptr; });
  } else {
    std::lock_guard lock(mutex_);
    routing_ = routing;
  }
  std::vector<std::shared_ptr<SinkRunner>> retired;
  for (const auto& old : current->sinks) {
    if (std::find(routing->sinks.begin(), routing->sinks.end(), old) == routing->sinks.end()) {
      retired.push_back(old);
    }
  }
  bool complete = true;
  stopSinks(retired, Clock::now() + config.drainTimeout, complete);
  return {};
}

void EventPipeline::reopen() {
  std::lock_guard lock(mutex_);
  for (const auto& runner : routing_->sinks) runner->requestReopen();
}

std::optional<std::string> EventPipeline::readiness() const {
  std::lock_guard lock(mutex_);
  if (!started_) return "event pipeline not started";
  if (stopping_) return "event pipeline stopping";
  std::string reasons;
  for (const auto& runner : routing_->sinks) {
    if (auto failure = runner->readinessFailure()) {
      if (!reasons.empty()) reasons += "; ";
      reasons += *failure;
    }
  }
  if (reasons.empty()) return std::nullopt;
  return reasons;
}

bool EventPipeline::flushAndStop(Clock::time_point deadline) {
  start();  // a pipeline that never ran may still hold accepted events
  std::lock_guard rl(reconfigureMutex_);
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return true;
    stopping_ = true;
    if (!routing_) {  // create() failed half-way: nothing ran, nothing was accepted
      stopped_ = true;
      return true;
    }
    deadline_ = deadline;
  }
  wake_.notify_all();
  if (dispatcher_.joinable()) dispatcher_.join();
  bool complete = true;
  stopSinks(routing_->sinks, deadline, complete);
  std::lock_guard lock(mutex_);
  stopped_ = true;
  return complete;
}

void EventPipeline::stopSinks(const std::vector<std::shared_ptr<SinkRunner>>& sinks,
                              Clock::time_point deadline, bool& complete) {
  // Signal every sink first so they drain in parallel, then wait for each.
  std::vector<std::thread> stoppers;
  std::vector<char> results(sinks.size(), 1);
  for (size_t i = 0; i < sinks.size(); ++i) {
    stoppers.emplace_back([&, i] { results[i] = sinks[i]->stop(deadline) ? 1 : 0; });
  }
  for (auto& t : stoppers) t.join();
  for (char r : results) complete = complete && r;
}

void EventPipeline::run() {
  constexpr auto kMaxIdle = std::chrono::microseconds(5000);
  const auto interval = std::min(options_.batchInterval, kMaxIdle);
  auto idle = interval;
  Clock::time_point lastEvents = Clock::now();
  std::unique_lock lock(mutex_);
  for (;;) {
    if (pending_) {
      routing_ = std::move(pending_);
      pending_.reset();
      swapped_.notify_all();
    }
    if (stopping_) break;
    std::shared_ptr<Routing> routing = routing_;
    lock.unlock();
    const Round round = dispatchOnce(*routing, std::nullopt);
    const Clock::time_point now = Clock::now();
    lock.lock();
    if (round.backlog) continue;
    if (round.events > 0) {
      idle = interval;
      lastEvents = now;
    } else if (now - lastEvents >= options_.idleAfter) {
      if (sleepUntilRung(lock, *routing)) {
        idle = interval;
        lastEvents = Clock::now();
      }
      continue;
    }
    // Workers signal only a sleeping dispatcher (a push must stay cheap), so while events flow
    // it polls: every interval, so each sink gets one batch (one wakeup) per interval; backing
    // off to 5 ms, then to sleeping, when they stop. That bounds both the wakeups and the
    // added latency.
    wake_.wait_for(lock, idle, [&] { return stopping_ || pending_ != nullptr; });
    if (round.events == 0) {
      idle = std::min(std::max(idle * 2, std::chrono::microseconds(50)), kMaxIdle);
    }
  }
  std::shared_ptr<Routing> routing = routing_;
  Clock::time_point deadline = deadline_;
  lock.unlock();
  for (auto& outbox : outboxes_) outbox->close();
  while (dispatchOnce(*routing, deadline).events > 0) {
  }
}

bool EventPipeline::sleepUntilRung(std::unique_lock<std::mutex>& lock, const Routing& routing) {
  doorbell_.announceSleep();
  // The last look: an event pushed before the announcement was seen is found here.
  lock.unlock();
  const Round last = dispatchOnce(routing, std::nullopt);
  lock.lock();
  bool woken = last.events > 0;
  if (!woken) {
    wake_.wait_for(lock, options_.idleSleep,
                   [&] { return stopping_ || pending_ != nullptr || doorbell_.rung(); });
    woken = doorbell_.rung();
  }
  doorbell_.endSleep();
  return woken;
}

EventPipeline::Round EventPipeline::dispatchOnce(
    const Routing& routing, std::optional<Clock::time_point> shutdownDeadline) {
  size_t sinkCount = routing.sinks.size();
  if (pendingBatches_.size() < sinkCount) pendingBatches_.resize(sinkCount);
  Round round;
  for (auto& outbox : outboxes_) {
    events_.clear();
    size_t n = outbox->drain(events_, options_.maxBatch);
    round.events += n;
    round.backlog = round.backlog || n == options_.maxBatch;
    for (QueuedEvent& q : events_) {
      SinkMask mask = routing.router.route(q.encoded.region);
      if (mask == 0) {
        EventMetrics::global().dropped(DropReason::NoRoute);
        continue;
      }
      cloud_.clear();
      for (SinkMask m = mask; m != 0; m &= m - 1) {
        auto i = static_cast<size_t>(__builtin_ctzll(m));
        const bool last = (m & (m - 1)) == 0;  // the last destination may take the strings
        Batch& batch = pendingBatches_[i];
        if (routing.sinks[i]->config().format != config::EventFormat::CloudEvents) {
          if (last) {
            batch.push_back(std::move(q.encoded));
          } else {
            batch.push_back(q.encoded);
          }
          continue;
        }
        if (cloud_.empty()) {
          appendCloudEventEnvelope(q.encoded.id, q.type, q.time, q.encoded.key, q.encoded.payload,
                                   options_.cloudEventsSource, cloud_);
        }
        if (last) {
          batch.push_back(EncodedEvent{std::move(q.encoded.id), std::move(q.encoded.key),
                                       std::move(q.encoded.region), std::move(cloud_)});
        } else {
          batch.push_back(EncodedEvent{q.encoded.id, q.encoded.key, q.encoded.region, cloud_});
        }
      }
    }
  }
  for (size_t i = 0; i < sinkCount; ++i) {
    Batch& batch = pendingBatches_[i];
    if (batch.empty()) continue;
    if (!routing.sinks[i]->offer(batch, shutdownDeadline)) {
      routing.sinks[i]->overflow(
          batch, shutdownDeadline ? DropReason::Stopped : DropReason::SinkQueueFull);
    }
  }
  return round;
}

}  // namespace consentry::events
