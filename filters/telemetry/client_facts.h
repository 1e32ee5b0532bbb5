#pragma once
// What an event says about the client's software and device: the User-Agent parsed by uap-core,
// overridden by client hints when present, with frozen/reduced UA values reported as unknown.
// ClientDescriber is the per-worker entry point with its LRU cache.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/http_header.h"
#include "filters/telemetry/client_hints.h"
#include "filters/telemetry/device_type.h"
#include "filters/telemetry/lru_cache.h"
#include "filters/telemetry/ua_regexes.h"

namespace consentry::events {
struct Event;
}

namespace consentry::filters::telemetry {

struct ClientFacts {
  // uap-core families ("Other" when nothing matched); versions dotted, as far as known.
  std::string osName = "Other", browserName = "Other", deviceFamily = "Other";
  std::optional<std::string> osVersion, browserVersion;
  std::optional<std::string> deviceBrand, deviceModel;
  DeviceType deviceType = DeviceType::Other;
  bool bot = false;
};

// "major[.minor[.patch[.patchMinor]]]" up to the first absent part; nullopt without a major.
std::optional<std::string> joinVersion(const std::optional<std::string>& major,
                                       const std::optional<std::string>& minor,
                                       const std::optional<std::string>& patch,
                                       const std::optional<std::string>& patchMinor);

enum class UaMode {
  Raw,     // uap-core's answer with hints on top (the ua-parse CLI)
  Events,  // also drop frozen/reduced values (SPEC §4)
};

// The reduced-UA rules, applied in Events mode only where hints do not supply the value:
//  - Chrome >= 100 with "Chrome/N.0.0.0" (User-Agent Reduction): browser version is the major
//    only; the OS version is frozen ("Windows NT 10.0", "Mac OS X 10_15_7", "Android 10",
//    "CrOS x86_64 14541.0.0") and thus unknown.
//  - "Windows NT 10.0" means Windows 10 or 11 in every browser: version unknown.
//  - macOS 10.15(.7) is what Safari, Firefox and Chrome report for every later macOS: unknown.
//  - Android's "; K)" placeholder model: model (and a family derived from it) unknown.
ClientFacts describeClient(const RawParse& raw, std::string_view ua, const ClientHints& hints,
                           UaMode mode);

// Copies the facts into an event, leaving unknown values ("Other", absent versions) absent.
void fillEvent(const ClientFacts& facts, events::Event& event);

// Longer User-Agents are parsed on their first kMaxUaBytes only: real ones are far shorter, and
// the cap bounds both regex time and cache memory for hostile 64 KiB headers.
inline constexpr size_t kMaxUaBytes = 1024;

// Per-worker: parses User-Agent + client hints through an LRU cache keyed on all their values.
class ClientDescriber {
 public:
  ClientDescriber(std::shared_ptr<const UaRegexes> regexes, size_t cacheEntries,
                  UaMode mode = UaMode::Events);

  // Valid until the next call.
  const ClientFacts& describe(std::span<const HeaderField> headers);

  size_t cacheSize() const { return cache_.size(); }
  uint64_t misses() const { return misses_; }

 private:
  std::shared_ptr<const UaRegexes> regexes_;
  UaScratch scratch_;
  LruCache<ClientFacts> cache_;
  UaMode mode_;
  std::string key_;
  // The previous request's key and answer: a worker mostly sees the same browser again, and
  // comparing against it skips hashing the key. Null after any insertion (which may evict).
  std::string lastKey_;
  const ClientFacts* lastHit_ = nullptr;
  ClientFacts last_;
  uint64_t misses_ = 0;
};

}  // namespace consentry::filters::telemetry
