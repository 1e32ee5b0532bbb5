#include "filters/explain.h"

#include "events/event_json.h"
#include "filters/request_decider.h"

namespace consentry::filters {

std::string explainJson(const ChainShared& shared, const RequestInfo& request) {
  WorkerState state(shared);
  Decision d = decideRequest(shared, state, request);
  // Explain always reports the region, also when no event needed one.
  if (d.region == nullptr) decideRegion(shared, request.client, d);

  std::string out = "{\"consent\":{";
  out += "\"analytics\":";
  out += d.consent.analytics ? "true" : "false";
  out += ",\"marketing\":";
  out += d.consent.marketing ? "true" : "false";
  out += ",\"functional\":";
  out += d.consent.functional ? "true" : "false";
  if (!d.consent.source.empty()) {
    out += ",\"source\":";
    events::appendJsonString(d.consent.source, out);
  }
  if (d.consent.policyVersion) {
    out += ",\"policy_version\":" + std::to_string(*d.consent.policyVersion);
  }
  out += ",\"reason\":";
  events::appendJsonString(d.consent.reasonLabel(), out);
  out += "},\"region\":";
  events::appendJsonString(d.region->name, out);
  out += ",\"location\":{";
  // Only what the region lets leave the process (SPEC §9.7), as in the event.
  bool first = true;
  const auto rule = d.region->fields.location;
  auto field = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    if (!first) out += ",";
    first = false;
    events::appendJsonString(key, out);
    out += ":";
    events::appendJsonString(value, out);
  };
  if (rule != config::LocationRule::Drop) {
    field("country", d.geo.location.country);
    if (rule == config::LocationRule::Subdivision) {
      field("subdivision", d.geo.location.subdivision);
    }
  }
  out += "},\"event\":";
  if (d.event) {
    events::appendEventJson(*d.event, out);
  } else {
    out += "null";
  }
  out += ",\"reason\":";
  events::appendJsonString(d.reason, out);
  out += "}";
  return out;
}

}  // namespace consentry::filters
