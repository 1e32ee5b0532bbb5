// The serialization half of the event path (SPEC §10: >= 1 M events/s per core), plus the
// per-event costs around it: id generation and the outbox hand-off.

#include <benchmark/benchmark.h>

#include "events/event_json.h"
#include "events/outbox.h"
#include "events/uuid7.h"

namespace consentry::events {
namespace {

Event typicalEvent() {
  Event e;
  e.type = EventType::Pageview;
  e.id = newEventId();
  e.time = std::chrono::system_clock::now();
  e.region = "eea";
  e.country = "DE";
  e.consent = ConsentInfo{true, false, true, "tcf", 3};
  e.ip = IpAddress::parse("203.0.113.0");
  e.osName = "Windows";
  e.osVersion = "10";
  e.browserName = "Chrome";
  e.browserVersion = "131";
  e.deviceType = "desktop";
  e.language = "de";
  e.screen = Screen{1920, 1080, 1.25};
  e.viewport = Viewport{1903, 961};
  e.host = "shop.example.com";
  e.path = "/products/espresso-machines?page=2&sort=price";
  e.referrer = "https://search.example";
  e.visitor = "0b6f0c4e9d1f4c7a8e2b5d3f6a9c1e4b";
  e.bot = false;
  return e;
}

void BM_SerializeEvent(benchmark::State& state) {
  Event e = typicalEvent();
  std::string out;
  for (auto _ : state) {
    out.clear();
    appendEventJson(e, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_SerializeEvent);

void BM_SerializeBeaconWithProps(benchmark::State& state) {
  Event e = typicalEvent();
  e.type = EventType::Beacon;
  e.name = "add_to_cart";
  e.props.emplace();
  e.props->emplace_back("sku", std::string("EM-3000 \"Pro\""));
  e.props->emplace_back("price", 499.99);
  e.props->emplace_back("qty", 2.0);
  e.props->emplace_back("gift", false);
  std::string out;
  for (auto _ : state) {
    out.clear();
    appendEventJson(e, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializeBeaconWithProps);

void BM_SerializeCloudEvent(benchmark::State& state) {
  Event e = typicalEvent();
  std::string source = defaultCloudEventSource();
  std::string out;
  for (auto _ : state) {
    out.clear();
    appendCloudEventJson(e, source, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SerializeCloudEvent);

void BM_NewEventId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(newEventId());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NewEventId);

// One push (which serializes the event into its slot) and one drain per event, single-threaded:
// the ring's own cost without contention.
void BM_OutboxPushDrain(benchmark::State& state) {
  Outbox box(4096);
  const Event event = typicalEvent();
  std::vector<QueuedEvent> drained;
  drained.reserve(256);
  for (auto _ : state) {
    for (int i = 0; i < 256; ++i) box.push(event);
    drained.clear();
    box.drain(drained, 256);
  }
  state.SetItemsProcessed(state.iterations() * 256);
}
BENCHMARK(BM_OutboxPushDrain);

}  // namespace
}  // namespace consentry::events
