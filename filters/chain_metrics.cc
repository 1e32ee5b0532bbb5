#include "filters/chain_metrics.h"

namespace consentry::filters {

ChainMetrics& chainMetrics() {
  static ChainMetrics metrics;
  return metrics;
}

namespace {

void counterLine(std::string& out, std::string_view family, std::string_view labels,
                 uint64_t value) {
  out.append(family);
  if (!labels.empty()) {
    out.push_back('{');
    out.append(labels);
    out.push_back('}');
  }
  out.push_back(' ');
  out.append(std::to_string(value));
  out.push_back('\n');
}

}  // namespace

void renderChainMetrics(std::string& out) {
  auto& m = chainMetrics();
  out.append(
      "# HELP consentry_consent_decisions_total Consent decisions by result and reason.\n"
      "# TYPE consentry_consent_decisions_total counter\n");
  for (size_t i = 0; i < kConsentReasons; ++i) {
    const auto reason = consent::reasonName(static_cast<consent::Reason>(i));
    const uint64_t granted = m.decisionsGranted[i].load(std::memory_order_relaxed);
    const uint64_t denied = m.decisionsDenied[i].load(std::memory_order_relaxed);
    if (granted != 0) {
      counterLine(out, "consentry_consent_decisions_total",
                  "result=\"granted\",reason=\"" + std::string(reason) + "\"", granted);
    }
    if (denied != 0 || i == static_cast<size_t>(consent::Reason::NoDecision)) {
      counterLine(out, "consentry_consent_decisions_total",
                  "result=\"denied\",reason=\"" + std::string(reason) + "\"", denied);
    }
  }
  struct Simple {
    const char* family;
    const char* help;
    const std::atomic<uint64_t>* value;
  };
  const Simple simple[] = {
      {"consentry_telemetry_events_emitted_total", "Events handed to the outbox by the chain.",
       &m.eventsEmitted},
      {"consentry_consent_withdrawals_total",
       "Visitor cookies expired after consent was withdrawn.", &m.withdrawals},
      {"consentry_bots_dropped_total", "Events not recorded because the client is a bot.",
       &m.botsDropped},
      {"consentry_beacons_malformed_total", "Beacon bodies rejected with 400.",
       &m.beaconsMalformed},
      {"consentry_beacons_too_large_total", "Beacon bodies rejected with 413.", &m.beaconsTooLarge},
      {"consentry_beacons_unconsented_total", "Beacons dropped for lack of analytics consent.",
       &m.beaconsUnconsented},
  };
  for (const auto& s : simple) {
    out.append("# HELP ").append(s.family).append(" ").append(s.help).append("\n");
    out.append("# TYPE ").append(s.family).append(" counter\n");
    counterLine(out, s.family, "", s.value->load(std::memory_order_relaxed));
  }
}

}  // namespace consentry::filters

static_assert(static_cast<size_t>(consentry::filters::consent::Reason::Oversized) + 1 ==
                  consentry::filters::kConsentReasons,
              "kConsentReasons must cover every consent::Reason");
