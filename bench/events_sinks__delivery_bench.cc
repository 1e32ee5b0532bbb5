// Events per second through the network sinks on loopback: the http sink against the in-process
// test collector (NDJSON, with and without gzip) and the kafka sink against a librdkafka mock
// cluster (real wire protocol, idempotent producer, acks=all). Each iteration writes one batch
// the way the pipeline does; the timing includes the final flush.
#include <benchmark/benchmark.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <filesystem>

#include "events/sinks/http_sink.h"
#include "events/sinks/kafka_sink.h"
#include "tests/unit/events/sinks/test_collector.h"

namespace {

namespace fs = std::filesystem;
using namespace consentry::events;

constexpr int kBatch = 500;

std::vector<EncodedEvent> makeBatch() {
  std::vector<EncodedEvent> out;
  for (int i = 0; i < kBatch; ++i) {
    EncodedEvent e;
    e.id = "01937a4e-8f3c-7b2a-9c1d-" + std::to_string(100000000000 + i);
    e.key = "visitor-" + std::to_string(i % 97);
    e.region = "eea";
    // A typical consented pageview, ~450 bytes.
    e.payload =
        R"({"schema":"consentry.event/1","id":")" + e.id +
        R"(","time":"2026-11-29T01:02:03.456Z","type":"pageview","region":"eea",)"
        R"("location":{"country":"DE","subdivision":"DE-BE"},"consent":{"analytics":true,)"
        R"("marketing":false,"source":"tcf","policy_version":3},"client":{"ip":"203.0.113.0",)"
        R"("os":{"name":"Windows","version":"10"},"browser":{"name":"Chrome","version":"131"},)"
        R"("device":{"type":"desktop"},"language":"de"},"page":{"host":"example.com",)"
        R"("path":"/pricing"},"visitor":")" +
        e.key + R"(","bot":false})";
    out.push_back(std::move(e));
  }
  return out;
}

std::string tempDir() {
  std::string tmpl = (fs::temp_directory_path() / "csy-delivery-bench-XXXXXX").string();
  return ::mkdtemp(tmpl.data());
}

void BM_HttpSink(benchmark::State& state) {
  consentry::testing::TestCollector collector;
  std::string dir = tempDir();
  HttpSink::Options o;
  o.name = "bench-http";
  o.url = collector.url();
  o.batchMaxEvents = kBatch;
  o.gzip = state.range(0) != 0;
  o.spoolDir = dir + "/spool";
  auto sink = std::move(HttpSink::open(o).value());
  auto batch = makeBatch();
  for (auto _ : state) {
    sink->write(batch);
    sink->tick(std::chrono::steady_clock::now());
  }
  sink->flush();
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["spooled"] = static_cast<double>(sink->counters().spooled.load());
  sink.reset();
  fs::remove_all(dir);
}
BENCHMARK(BM_HttpSink)->Arg(0)->Arg(1)->ArgName("gzip")->UseRealTime();

void BM_KafkaSink(benchmark::State& state) {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, 3);
  rd_kafka_mock_topic_create(mc, "events", 6, 3);
  std::string dir = tempDir();
  KafkaSink::Options o;
  o.name = "bench-kafka";
  o.brokers = rd_kafka_mock_cluster_bootstraps(mc);
  o.topic = "events";
  o.spoolDir = dir + "/spool";
  auto sink = std::move(KafkaSink::open(o).value());
  auto batch = makeBatch();
  for (auto _ : state) {
    sink->write(batch);
    sink->tick(std::chrono::steady_clock::now());
  }
  sink->flush();
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["written"] = static_cast<double>(sink->counters().written.load());
  state.counters["spooled"] = static_cast<double>(sink->counters().spooled.load());
  sink.reset();
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  fs::remove_all(dir);
}
BENCHMARK(BM_KafkaSink)->UseRealTime()->MinTime(3);

}  // namespace
