#include "events/sinks/sink_factory.h"

#include "events/sinks/file_sink.h"
#include "events/sinks/http_sink.h"
#include "events/sinks/kafka_sink.h"
#include "events/sinks/stdout_sink.h"

namespace consentry::events {

Result<std::unique_ptr<Sink>> makeSink(const config::Sink& config) {
  switch (config.type) {
    case config::SinkType::File: {
      auto sink = FileSink::open(config);
      if (!sink) return sink.error();
      return Result<std::unique_ptr<Sink>>(std::move(sink.value()));
    }
    case config::SinkType::Stdout:
      return Result<std::unique_ptr<Sink>>(std::make_unique<StdoutSink>(config.name));
    // The delivery owner registers the network sinks here.
    case config::SinkType::Http: {
      auto sink = HttpSink::open(config);
      if (!sink) return sink.error();
      return Result<std::unique_ptr<Sink>>(std::move(sink.value()));
    }
    case config::SinkType::Kafka: {
      auto sink = KafkaSink::open(config);
      if (!sink) return sink.error();
      return Result<std::unique_ptr<Sink>>(std::move(sink.value()));
    }
  }
  return makeError("sink " + config.name + ": unknown type");
}

}  // namespace consentry::events
