#include "events/sinks/sink_factory.h"

#include "events/sinks/file_sink.h"
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
    case config::SinkType::Http:
      return makeError("sink " + config.name + ": http sink not available in this build");
    case config::SinkType::Kafka:
      return makeError("sink " + config.name + ": kafka sink not available in this build");
  }
  return makeError("sink " + config.name + ": unknown type");
}

}  // namespace consentry::events
