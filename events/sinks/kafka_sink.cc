#include "events/sinks/kafka_sink.h"

#include <algorithm>
#include <cstdint>

namespace consentry::events {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kQueueFullWait = std::chrono::seconds(5);

// Errors that no retry can fix: counted as failed instead of spooled forever.
bool permanent(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE || err == RD_KAFKA_RESP_ERR_INVALID_MSG ||
         err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED ||
         err == RD_KAFKA_RESP_ERR_INVALID_RECORD;
}

}  // namespace

struct KafkaSink::InFlight {
  EncodedEvent event;
  bool replayed = false;
};

Result<std::unique_ptr<KafkaSink>> KafkaSink::open(const config::Sink& config) {
  Options o;
  o.name = config.name;
  o.brokers = config.brokers;
  o.topic = config.topic;
  o.keyByVisitor = config.key != "none";
  // The batch keys map onto librdkafka's own batching; explicit properties still win.
  o.properties = {
      {"batch.num.messages", std::to_string(config.batchMaxEvents)},
      {"batch.size", std::to_string(std::clamp<uint64_t>(config.batchMaxBytes, 1, INT32_MAX))},
      {"linger.ms", std::to_string(config.batchMaxDelay.count())},
  };
  for (const auto& [k, v] : config.properties) o.properties[k] = v;
  o.replayBatch = std::max<size_t>(config.batchMaxEvents, 1);
  o.spoolDir = config.spool.dir.empty() ? "spool/" + config.name : config.spool.dir;
  o.spoolMaxBytes = config.spool.maxBytes;
  return open(std::move(o));
}

Result<std::unique_ptr<KafkaSink>> KafkaSink::open(Options options) {
  if (options.topic.empty()) return makeError("sink " + options.name + ": kafka topic is empty");
  if (options.brokers.empty() && !options.properties.count("bootstrap.servers")) {
    return makeError("sink " + options.name + ": kafka brokers are empty");
  }
  auto spool = openSpool(options.name, options);
  if (!spool) return spool.error();
  std::unique_ptr<KafkaSink> sink(new KafkaSink(std::move(options), std::move(spool.value())));
  auto started = sink->start();
  if (!started) return started.error();
  return sink;
}

KafkaSink::KafkaSink(Options options, std::unique_ptr<Spool> spool)
    : SpoolingSink(options.name, "kafka", options, std::move(spool)),
      options_(std::move(options)) {}

Result<void> KafkaSink::start() {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  // Defaults first so that the user's properties override them.
  std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", options_.brokers},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"linger.ms", "5"},
      // An outage surfaces as timed-out messages (then spooled) after 30 s, not librdkafka's 5 min.
      {"message.timeout.ms", "30000"},
  };
  for (const auto& [k, v] : options_.properties) settings.emplace_back(k, v);
  for (const auto& [k, v] : settings) {
    if (k == "bootstrap.servers" && v.empty()) continue;
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return makeError("sink " + options_.name + ": kafka property " + k + ": " + err);
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, &KafkaSink::deliveryCallback);
  rd_kafka_conf_set_error_cb(conf, &KafkaSink::errorCallback);
  rd_kafka_conf_set_opaque(conf, this);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return makeError("sink " + options_.name + ": kafka producer: " + err);
  }
  rk_.reset(rk);  // owns conf from here
  return {};
}

KafkaSink::~KafkaSink() {
  if (rk_) flush();
}

bool KafkaSink::produce(const EncodedEvent& event, bool replayed) {
  auto inFlight = std::make_unique<InFlight>(InFlight{event, replayed});
  const EncodedEvent& e = inFlight->event;
  bool keyed = options_.keyByVisitor && !e.key.empty();
  rd_kafka_resp_err_t r =
      rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(options_.topic.c_str()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(e.payload.data()), e.payload.size()),
                        RD_KAFKA_V_KEY(keyed ? e.key.data() : nullptr, keyed ? e.key.size() : 0),
                        RD_KAFKA_V_OPAQUE(inFlight.get()), RD_KAFKA_V_END);
  if (r == RD_KAFKA_RESP_ERR__QUEUE_FULL) return false;
  if (r != RD_KAFKA_RESP_ERR_NO_ERROR) {
    markFailing(std::string("produce: ") + rd_kafka_err2str(r));
    return false;
  }
  static_cast<void>(inFlight.release());  // owned by librdkafka until the delivery report
  ++outstanding_;
  return true;
}

void KafkaSink::write(std::span<const EncodedEvent> batch) {
  poll(0);
  auto now = Clock::now();
  if (!spool_->empty() || !backoff_.ready(now)) {
    spool_->append(batch);
    return;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (produce(batch[i], false)) continue;
    // librdkafka's queue is full: wait on the sink thread (the pipeline queue and then
    // overflow() absorb the pressure) and spool the rest only if it does not drain in time.
    auto giveUp = Clock::now() + kQueueFullWait;
    bool produced = false;
    while (!produced && Clock::now() < giveUp) {
      poll(20);
      produced = produce(batch[i], false);
    }
    if (produced) continue;
    spool_->append(batch.subspan(i));
    backoff_.failed(Clock::now());
    break;
  }
}

void KafkaSink::deliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<KafkaSink*>(opaque)->onDelivery(message);
}

void KafkaSink::errorCallback(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSink*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__FATAL) {
    self->markFailing(std::string("kafka: ") + reason);
  }
}

void KafkaSink::onDelivery(const rd_kafka_message_t* message) {
  std::unique_ptr<InFlight> inFlight(static_cast<InFlight*>(message->_private));
  --outstanding_;
  if (inFlight->replayed) --replayOutstanding_;
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    counters_.written.fetch_add(1, std::memory_order_relaxed);
    markHealthy();
    return;
  }
  markFailing(std::string("delivery: ") + rd_kafka_err2str(message->err));
  if (permanent(message->err)) {
    counters_.failed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  failed_.push_back(std::move(inFlight->event));
}

void KafkaSink::poll(int timeoutMs) {
  rd_kafka_poll(rk_.get(), timeoutMs);
  if (!failed_.empty()) {
    spool_->append(failed_);
    failed_.clear();
    backoff_.failed(Clock::now());
  }
  // A peeked spool batch is acknowledged once all of it is reported; failures were re-spooled.
  if (replayActive_ && replayOutstanding_ == 0) {
    replayActive_ = false;
    spool_->commit();
  }
}

void KafkaSink::replay(Clock::time_point now) {
  if (replayActive_ || spool_->empty() || !backoff_.ready(now)) return;
  auto batch = spool_->peek(options_.replayBatch, 4 << 20);
  if (batch.empty()) return;
  counters_.retried.fetch_add(batch.size(), std::memory_order_relaxed);
  replayActive_ = true;
  for (auto& event : batch) {
    if (produce(event, true)) {
      ++replayOutstanding_;
    } else {
      failed_.push_back(event);  // re-spooled at the tail by the next poll
    }
  }
}

void KafkaSink::tick(Clock::time_point now) {
  poll(0);
  replay(now);
}

void KafkaSink::flush() {
  auto deadline = Clock::now() + options_.flushTimeout;
  while (outstanding_ > 0 && Clock::now() < deadline) {
    rd_kafka_flush(rk_.get(), 100);
    poll(0);
  }
  if (outstanding_ > 0) {
    // Past the deadline: take the messages back from librdkafka and keep them on disk.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    for (int i = 0; i < 50 && outstanding_ > 0; ++i) poll(10);
  }
  poll(0);
  spool_->sync();
}

}  // namespace consentry::events
