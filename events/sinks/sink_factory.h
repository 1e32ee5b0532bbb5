#pragma once
// Builds a Sink from its config section. File and stdout sinks are registered here by the events
// owner; http and kafka are added to the switch in sink_factory.cc by the delivery owner. The
// pipeline (events/pipeline.h) takes a SinkMaker so that events/ does not link events/sinks/:
// the proxy passes events::makeSink.

#include <memory>

#include "base/result.h"
#include "config/config.h"
#include "events/sinks/sink.h"

namespace consentry::events {

// Creates the sink for `config` (opening files, creating directories as needed), or an error
// message naming the sink.
Result<std::unique_ptr<Sink>> makeSink(const config::Sink& config);

}  // namespace consentry::events
