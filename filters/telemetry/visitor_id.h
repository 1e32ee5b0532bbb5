#pragma once
// Visitor identifiers (SPEC §3): a random id kept in the first-party cookie, or a daily keyed
// hash of (host, IP, UA) whose key is random per process and UTC day and never leaves memory.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/result.h"
#include "events/event.h"

namespace consentry::filters::telemetry {

// 128 random bits from OpenSSL's DRBG (getrandom(2) when it fails) as 32 lower-case hex digits.
Result<events::VisitorId> newVisitorId();

// True for what newVisitorId() produces; anything else in the cookie is ignored, not trusted.
bool isValidVisitorId(std::string_view id);

// 13 months, as CNIL recommends for audience-measurement cookies (395 days).
inline constexpr int64_t kVisitorCookieMaxAge = int64_t{395} * 86400;

// Set-Cookie values: "NAME=ID; Max-Age=...; Path=/; HttpOnly; SameSite=Lax[; Secure]"; Secure
// only on TLS so plain-HTTP development setups still keep the cookie.
std::string visitorCookie(std::string_view name, std::string_view id, bool secure);
std::string expiredVisitorCookie(std::string_view name, bool secure);

// The process-wide daily secret: 32 random bytes per UTC day, created on first use that day and
// forgotten (wiped) when the day changes. Thread-safe; workers cache it in a DailyHasher.
class DailySecret {
 public:
  using Key = std::array<uint8_t, 32>;
  ~DailySecret();
  // `day` counts UTC days since the epoch. The key for an older day than the current one is not
  // available any more: the result is then an error.
  Result<Key> keyFor(int64_t day);

 private:
  std::mutex mutex_;
  int64_t day_ = -1;
  Key key_{};
};

// Per-worker: HMAC-SHA256(daily key, host \0 ip \0 ua), first 128 bits as hex.
class DailyHasher {
 public:
  explicit DailyHasher(std::shared_ptr<DailySecret> secret) : secret_(std::move(secret)) {}
  ~DailyHasher();
  Result<events::VisitorId> hash(std::string_view host, std::string_view ip, std::string_view ua,
                                 std::chrono::system_clock::time_point now);

 private:
  std::shared_ptr<DailySecret> secret_;
  int64_t day_ = -1;
  DailySecret::Key key_{};
};

}  // namespace consentry::filters::telemetry
