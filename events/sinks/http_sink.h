#pragma once
// The `http` sink (SPEC §6): batched POSTs (by max_events, max_bytes, max_delay) of NDJSON
// (application/x-ndjson) or, with format cloudevents, a JSON array
// (application/cloudevents-batch+json); optional gzip; configured headers; keep-alive.
//
// Delivery: a 2xx accepts the batch. A transport error, timeout, 408, 429 or 5xx moves the batch
// to the disk spool and schedules a retry (exponential backoff 100 ms .. 30 s, full jitter); while
// the spool holds anything, new batches are appended behind it so order is kept, and tick()
// replays it oldest first once the backoff has passed (also after a restart). Any other 4xx puts
// the batch in the dead-letter JSON Lines file with the status and reason. Runs on the sink
// thread, except overflow() (dispatcher thread; only touches the thread-safe spool).

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "events/event_metrics.h"
#include "events/sinks/backoff.h"
#include "events/sinks/http_client.h"
#include "events/sinks/sink.h"
#include "events/sinks/spool.h"

namespace consentry::events {

class HttpSink final : public Sink {
 public:
  struct Options {
    std::string name = "http";
    std::string url;
    bool cloudEvents = false;
    uint32_t batchMaxEvents = 500;
    uint64_t batchMaxBytes = 1 << 20;
    std::chrono::milliseconds batchMaxDelay = std::chrono::seconds(1);
    std::chrono::milliseconds timeout = std::chrono::seconds(5);
    bool gzip = false;
    std::map<std::string, std::string> headers;
    std::string deadLetter;  // empty: <spool dir>/dead-letter.jsonl
    std::string spoolDir;
    uint64_t spoolMaxBytes = uint64_t{1} << 30;
    std::chrono::milliseconds readinessGrace = std::chrono::seconds(30);
    std::chrono::milliseconds backoffBase = std::chrono::milliseconds(100);
    std::chrono::milliseconds backoffCap = std::chrono::seconds(30);
  };

  static Result<std::unique_ptr<HttpSink>> open(const config::Sink& config);
  static Result<std::unique_ptr<HttpSink>> open(Options options);
  ~HttpSink() override;

  std::string_view name() const override { return options_.name; }
  void write(std::span<const EncodedEvent> batch) override;
  void tick(std::chrono::steady_clock::time_point now) override;
  void flush() override;
  bool overflow(std::span<const EncodedEvent> batch) override;
  std::optional<std::string> readinessFailure() const override;

  const Spool& spool() const { return *spool_; }
  const SinkCounters& counters() const { return counters_; }

 private:
  enum class Outcome { Delivered, Retry, Rejected };
  HttpSink(Options options, HttpUrl url, std::unique_ptr<Spool> spool);
  void sendPending(std::chrono::steady_clock::time_point now);
  Outcome deliver(std::span<const EncodedEvent> batch);
  void deadLetter(std::span<const EncodedEvent> batch, int status, std::string_view reason);
  void replay(std::chrono::steady_clock::time_point now);
  void markFailing(std::string reason);
  void markHealthy();

  Options options_;
  SinkCounters& counters_;
  HttpClient client_;
  std::unique_ptr<Spool> spool_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<EncodedEvent> pending_;
  uint64_t pendingBytes_ = 0;
  std::chrono::steady_clock::time_point pendingSince_;
  Backoff backoff_;
  std::string body_;
  std::string compressed_;
  // Read by readinessFailure() from the admin thread.
  std::atomic<int64_t> failingSinceNs_{0};  // steady clock; 0: healthy
  mutable std::mutex reasonMutex_;
  std::string failReason_;
};

// Gzip (RFC 1952) of `in` into `out`; false on a zlib error.
bool gzipCompress(std::string_view in, std::string& out);

}  // namespace consentry::events
