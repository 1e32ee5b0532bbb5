#pragma once
// The request-side decision of the telemetry chain as one pure step, shared by the proxy's
// Exchange and by `consentry explain`: consent → telemetry facts → geo → region policy → scrub →
// event. No I/O; the only state is the worker's UA cache.

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "events/event.h"
#include "filters/chain.h"
#include "filters/chain_shared.h"
#include "filters/consent/evaluator.h"
#include "filters/telemetry/client_facts.h"
#include "geo/geo_db.h"
#include "geo/region_resolver.h"

namespace consentry::filters {

// Per-worker mutable state (never shared between threads).
struct WorkerState {
  explicit WorkerState(const ChainShared& shared);
  telemetry::ClientDescriber describer;
  // The preferred tag of the last few Accept-Language values: a site sees the same few values
  // over and over, and parsing one costs more than comparing it with each of these.
  struct LanguageMemo {
    std::string acceptLanguage;
    std::optional<std::string> language;
  };
  std::array<LanguageMemo, 8> languages;
  size_t languagesUsed = 0;
  size_t nextLanguage = 0;  // the slot a miss replaces (round robin)
  const std::optional<std::string>& preferredLanguage(std::string_view acceptLanguage);
};

enum class VisitorAction : uint8_t { None, Set, Expire };

struct Decision {
  consent::ConsentResult consent;
  const geo::RegionRules* region = nullptr;
  geo::GeoResult geo;
  // The pageview (or, on withdrawal, the consent.withdrawn event), policy applied and scrubbed.
  std::optional<events::Event> event;
  std::string reason;  // why there is (no) event: "recorded", "no_consent", "not_a_document", ...
  VisitorAction visitor = VisitorAction::None;
  events::VisitorId visitorId;  // the id to set (VisitorAction::Set) or the withdrawn one
  bool addAcceptCh = false;
};

// Whether the request is a navigation that `record: documents` records.
bool isDocumentRequest(const RequestInfo& request);

// Region of a client (geo lookup on the full address; nothing of it leaves this call but the
// location the region allows).
void decideRegion(const ChainShared& shared, const IpAddress& client, Decision& out);

// Consent + region + (for pageviews) the event.
Decision decideRequest(const ChainShared& shared, WorkerState& worker, const RequestInfo& request);

// Fills the telemetry part of an event shared by pageviews and beacons (client facts, ip,
// language, host, referrer, visitor, consent), then applies region policy and scrubbing.
void fillEventFromRequest(const ChainShared& shared, WorkerState& worker,
                          const RequestInfo& request, const Decision& decision,
                          events::Event& event);

// Region policy + scrubbing, the last steps before an event may leave the request.
void finishEvent(const ChainShared& shared, const Decision& decision, events::Event& event);

}  // namespace consentry::filters
