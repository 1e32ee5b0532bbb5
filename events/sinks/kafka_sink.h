#pragma once
// The `kafka` sink (SPEC §6), on librdkafka's C API: an idempotent producer (enable.idempotence,
// acks=all; the config's `properties` are passed through verbatim and win), key = the visitor id
// (or none with `key: none`), the configured topic. Delivery reports, polled on the sink thread,
// count written events; a failed or timed-out message goes to the disk spool, and while the spool
// holds anything new events queue behind it; tick() replays it (backoff 100 ms .. 30 s, full
// jitter) and acknowledges a replayed batch once every message in it is reported. flush() waits
// for outstanding messages up to a deadline and spools what is still undelivered.

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "events/sinks/spooling_sink.h"

namespace consentry::events {

class KafkaSink final : public SpoolingSink {
 public:
  struct Options : RetryOptions {
    std::string name = "kafka";
    std::string brokers;
    std::string topic;
    bool keyByVisitor = true;
    std::map<std::string, std::string> properties;
    size_t replayBatch = 1000;
    std::chrono::milliseconds flushTimeout = std::chrono::seconds(10);
  };

  static Result<std::unique_ptr<KafkaSink>> open(const config::Sink& config);
  static Result<std::unique_ptr<KafkaSink>> open(Options options);
  ~KafkaSink() override;

  std::string_view name() const override { return options_.name; }
  void write(std::span<const EncodedEvent> batch) override;
  void tick(std::chrono::steady_clock::time_point now) override;
  void flush() override;
  // Messages handed to librdkafka whose delivery report has not arrived yet.
  size_t outstanding() const { return outstanding_; }

 private:
  struct InFlight;
  struct HandleDeleter {
    void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  };
  KafkaSink(Options options, std::unique_ptr<Spool> spool);
  Result<void> start();
  bool produce(const EncodedEvent& event, bool replayed);
  void poll(int timeoutMs);
  void replay(std::chrono::steady_clock::time_point now);
  void onDelivery(const rd_kafka_message_t* message);
  static void deliveryCallback(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void errorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  Options options_;
  std::unique_ptr<rd_kafka_t, HandleDeleter> rk_;
  size_t outstanding_ = 0;
  size_t replayOutstanding_ = 0;      // messages of the peeked spool batch not reported yet
  bool replayActive_ = false;         // a peeked spool batch is in flight
  std::vector<EncodedEvent> failed_;  // reported failures, spooled after each poll
};

}  // namespace consentry::events
