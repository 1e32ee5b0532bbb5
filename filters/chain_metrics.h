#pragma once
// Counters of the telemetry chain, kept as plain atomics because filters/ must not depend on
// proxy/ (where the metrics registry lives); the admin listener renders them through
// renderChainMetrics().

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "filters/consent/decision.h"

namespace consentry::filters {

inline constexpr size_t kConsentReasons = 10;  // consent::Reason values

struct ChainMetrics {
  // consentry_consent_decisions_total{result="granted|denied",reason}
  std::array<std::atomic<uint64_t>, kConsentReasons> decisionsGranted{};
  std::array<std::atomic<uint64_t>, kConsentReasons> decisionsDenied{};
  std::atomic<uint64_t> eventsEmitted{0};  // pageview + beacon + withdrawn
  std::atomic<uint64_t> withdrawals{0};
  std::atomic<uint64_t> botsDropped{0};
  std::atomic<uint64_t> beaconsMalformed{0};
  std::atomic<uint64_t> beaconsTooLarge{0};
  std::atomic<uint64_t> beaconsUnconsented{0};
  std::atomic<uint64_t> outboxRejected{0};

  void countDecision(bool analytics, consent::Reason reason) {
    auto& table = analytics ? decisionsGranted : decisionsDenied;
    table[static_cast<size_t>(reason) % kConsentReasons].fetch_add(1, std::memory_order_relaxed);
  }
};

// The process's chain counters (they survive reloads, like every Prometheus counter must).
ChainMetrics& chainMetrics();

// Appends the Prometheus text exposition of the chain counters.
void renderChainMetrics(std::string& out);

}  // namespace consentry::filters
