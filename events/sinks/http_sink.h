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

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "events/sinks/http_client.h"
#include "events/sinks/spooling_sink.h"

namespace consentry::events {

class HttpSink final : public SpoolingSink {
 public:
  struct Options : RetryOptions {
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
  };

  static Result<std::unique_ptr<HttpSink>> open(const config::Sink& config);
  static Result<std::unique_ptr<HttpSink>> open(Options options);
  ~HttpSink() override;

  std::string_view name() const override { return options_.name; }
  void write(std::span<const EncodedEvent> batch) override;
  void tick(std::chrono::steady_clock::time_point now) override;
  void flush() override;

 private:
  enum class Outcome { Delivered, Retry, Rejected };
  HttpSink(Options options, HttpUrl url, std::unique_ptr<Spool> spool);
  void sendPending(std::chrono::steady_clock::time_point now);
  Outcome deliver(std::span<const EncodedEvent> batch);
  void deadLetter(std::span<const EncodedEvent> batch, int status, std::string_view reason);
  void replay(std::chrono::steady_clock::time_point now);

  Options options_;
  HttpClient client_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::vector<EncodedEvent> pending_;
  uint64_t pendingBytes_ = 0;
  std::chrono::steady_clock::time_point pendingSince_;
  std::string body_;
  std::string compressed_;
};

// Gzip (RFC 1952) of `in` into `out`; false on a zlib error.
bool gzipCompress(std::string_view in, std::string& out);

}  // namespace consentry::events
