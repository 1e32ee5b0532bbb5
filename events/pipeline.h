#pragma once
// The event stream inside the process (ARCHITECTURE "events/"): one Outbox per worker (events
// arrive there serialized), a dispatcher thread that drains them in batches, wraps an event for
// CloudEvents sinks when one of its destinations takes that format, routes it by region
// (events/router.h) and offers the batches to one SinkRunner per sink. A slow sink never blocks the
// dispatcher: when its queue is full the batch goes to the sink's spool (Sink::overflow) or is
// counted dropped.
//
// Use from the proxy:
//   auto p = EventPipeline::create(config, {.workers = n}, events::makeSink);  // sink_factory.h
//   p->start();                      // before workers run
//   p->outbox(worker).push(event);   // on worker `worker` only: serializes, never blocks
//   p->reconfigure(newConfig);       // SIGHUP: same outboxes, new sinks/routes, nothing lost
//   p->reopen();                     // SIGUSR1
//   p->readiness();                  // for /readyz
//   p->flushAndStop(deadline);       // after the workers stopped producing
// Reload keeps the pipeline: reconfigure() reuses sinks whose section is unchanged, starts new
// ones, switches the dispatcher over, then drains and flushes the sinks that went away. The
// number of outboxes is fixed at create().

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "events/outbox.h"
#include "events/router.h"
#include "events/sink_runner.h"
#include "events/sinks/sink.h"

namespace consentry::events {

// Builds one sink from its section (events::makeSink in events/sinks/sink_factory.h).
using SinkMaker = std::function<Result<std::unique_ptr<Sink>>(const config::Sink&)>;

struct PipelineOptions {
  size_t workers = 1;
  size_t outboxCapacity = 8192;    // events per worker (a slot is 144 bytes + its JSON)
  size_t sinkQueueEvents = 65536;  // events queued per sink before overflow
  size_t maxBatch = 2048;          // events drained from one outbox per round
  // How long the dispatcher gathers events after a round that left no backlog, so a sink thread
  // is woken (a futex) once per interval rather than once per handful of events. Bounds the
  // latency it adds; an idle dispatcher backs off further, to 5 ms.
  std::chrono::microseconds batchInterval{1000};
  // After this long without events the dispatcher stops polling and sleeps until a push rings
  // it (events/doorbell.h), waking on its own only every `idleSleep`.
  std::chrono::milliseconds idleAfter{20};
  std::chrono::milliseconds idleSleep{1000};
  std::string cloudEventsSource;  // empty: defaultCloudEventSource()
};

class EventPipeline {
 public:
  // Creates the sinks (the config's `sinks`, or the default file sink when there are none) and
  // the routing table. Nothing runs until start().
  static Result<std::unique_ptr<EventPipeline>> create(const config::Config& config,
                                                       PipelineOptions options, SinkMaker maker);
  ~EventPipeline();  // flushAndStop with a 10 s deadline if still running

  Outbox& outbox(size_t worker) { return *outboxes_[worker]; }
  size_t workers() const { return outboxes_.size(); }

  void start();
  // Swaps sinks and routes to `config` without losing events; on error nothing changes.
  Result<void> reconfigure(const config::Config& config);
  void reopen();
  // Closes the outboxes, writes (or spools) every accepted event, flushes every sink, joins all
  // threads. Returns false when something had to be spooled or dropped at the deadline.
  bool flushAndStop(std::chrono::steady_clock::time_point deadline);
  // Empty when ready; otherwise why not (a sink failing, or the pipeline not running).
  std::optional<std::string> readiness() const;

 private:
  struct Routing {
    std::vector<std::shared_ptr<SinkRunner>> sinks;
    Router router;
  };

  EventPipeline(PipelineOptions options, SinkMaker maker);
  Result<std::shared_ptr<Routing>> buildRouting(const config::Config& config,
                                                const Routing* current);
  void run();
  struct Round {
    size_t events = 0;     // drained from the outboxes
    bool backlog = false;  // some outbox gave a full maxBatch: more is waiting
  };
  Round dispatchOnce(const Routing& routing,
                     std::optional<std::chrono::steady_clock::time_point> shutdownDeadline);
  void stopSinks(const std::vector<std::shared_ptr<SinkRunner>>& sinks,
                 std::chrono::steady_clock::time_point deadline, bool& complete);

  // Sleeps until the dispatcher is rung, told to stop or given a new routing. True when rung
  // or when events turned up in the last look before sleeping.
  bool sleepUntilRung(std::unique_lock<std::mutex>& lock, const Routing& routing);

  PipelineOptions options_;
  SinkMaker maker_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the dispatcher: stop, a new routing, or a push (doorbell_)
  Doorbell doorbell_{mutex_, wake_};
  std::vector<std::unique_ptr<Outbox>> outboxes_;  // after doorbell_: they point to it

  std::condition_variable swapped_;   // reconfigure(): the dispatcher took the new routing
  std::shared_ptr<Routing> routing_;  // what the dispatcher uses
  std::shared_ptr<Routing> pending_;  // handed over by reconfigure()
  bool started_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::mutex reconfigureMutex_;  // one reload at a time
  std::thread dispatcher_;

  // Dispatcher-thread scratch, reused across rounds.
  std::vector<QueuedEvent> events_;
  std::vector<Batch> pendingBatches_;
  std::string cloud_;
};

}  // namespace consentry::events
