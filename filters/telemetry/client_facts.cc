#include "filters/telemetry/client_facts.h"

#include <charconv>
#include <cstring>

#include "base/short_compare.h"
#include "events/event.h"
#include "filters/telemetry/bots.h"

namespace consentry::filters::telemetry {

namespace {

// The major of a "Chrome/N.0.0.0" token (User-Agent Reduction, Chrome 100+), or 0.
int reducedChromeMajor(std::string_view ua) {
  constexpr std::string_view kToken = "Chrome/";
  for (size_t at = ua.find(kToken); at != std::string_view::npos; at = ua.find(kToken, at + 1)) {
    const char* p = ua.data() + at + kToken.size();
    const char* end = ua.data() + ua.size();
    int major = 0;
    auto [q, ec] = std::from_chars(p, end, major);
    if (ec != std::errc() || major < 100) continue;
    std::string_view rest(q, static_cast<size_t>(end - q));
    if (rest.starts_with(".0.0.0") && (rest.size() == 6 || rest[6] < '0' || rest[6] > '9')) {
      return major;
    }
  }
  return 0;
}

// Android's reduced placeholder model: "Android 10; K)" (or "; K;" with more tokens).
bool hasPlaceholderModel(std::string_view ua) {
  return ua.find("; K)") != std::string_view::npos || ua.find("; K;") != std::string_view::npos;
}

bool isFrozenOsVersion(const RawOs& os, bool reducedChrome) {
  if (os.family == "Windows" && os.major == "10" && !os.minor) return true;
  if (os.family == "Mac OS X" && os.major == "10" && os.minor == "15") return true;
  if (!reducedChrome) return false;
  return (os.family == "Android" && os.major == "10") || os.family == "Chrome OS";
}

}  // namespace

std::optional<std::string> joinVersion(const std::optional<std::string>& major,
                                       const std::optional<std::string>& minor,
                                       const std::optional<std::string>& patch,
                                       const std::optional<std::string>& patchMinor) {
  if (!major) return std::nullopt;
  std::string v = *major;
  for (const auto* part : {&minor, &patch, &patchMinor}) {
    if (!*part) break;
    v += '.';
    v += **part;
  }
  return v;
}

ClientFacts describeClient(const RawParse& raw, std::string_view ua, const ClientHints& hints,
                           UaMode mode) {
  ClientFacts f;
  f.osName = raw.os.family;
  f.osVersion = joinVersion(raw.os.major, raw.os.minor, raw.os.patch, raw.os.patchMinor);
  f.browserName = raw.ua.family;
  f.browserVersion = joinVersion(raw.ua.major, raw.ua.minor, raw.ua.patch, raw.ua.patchMinor);
  f.deviceFamily = raw.device.family;
  f.deviceBrand = raw.device.brand;
  f.deviceModel = raw.device.model;
  f.bot = isBotUserAgent(ua, raw.device.family);

  if (mode == UaMode::Events) {
    bool reduced = reducedChromeMajor(ua) != 0;
    if (reduced) f.browserVersion = raw.ua.major;
    if (isFrozenOsVersion(raw.os, reduced)) f.osVersion.reset();
    if (hasPlaceholderModel(ua)) {
      f.deviceModel.reset();
      if (raw.device.model == "K" || raw.device.family == "K") f.deviceFamily = "Other";
    }
  }

  // Hints win: they are what the browser states about itself, not a frozen compatibility string.
  if (hints.platform) {
    if (auto name = platformName(*hints.platform)) {
      if (*name != f.osName) f.osVersion.reset();
      f.osName = *name;
      if (hints.platformVersion) {
        if (auto v = platformVersion(*hints.platform, *hints.platformVersion)) f.osVersion = v;
      }
    }
  }
  if (auto browser = pickBrowser(hints)) {
    if (browser->name != f.browserName || browser->version) f.browserVersion = browser->version;
    f.browserName = browser->name;
  }
  if (hints.model && !hints.model->empty()) f.deviceModel = *hints.model;

  f.deviceType = deriveDeviceType(raw, ua, f.bot, hints.mobile,
                                  hints.platform ? std::string_view(*hints.platform) : "");
  return f;
}

namespace {

// Assigns into the optional in place (no temporary optional<string> per field).
void assignKnown(std::optional<std::string>& field, const std::string& value) {
  if (value.empty() || equalsLiteral(value, "Other")) {
    field.reset();
  } else {
    field = value;
  }
}

void assignIf(std::optional<std::string>& field, bool keep,
              const std::optional<std::string>& value) {
  if (keep && value) {
    field = *value;
  } else {
    field.reset();
  }
}

// Whether `key` is what describe() builds from these values: the UA, then per hint a marker
// ('\n' present, '\r' absent) and its value.
bool sameKey(std::string_view key, std::string_view ua, const bool* present,
             const std::string_view* values) {
  if (!key.starts_with(ua)) return false;
  key.remove_prefix(ua.size());
  for (size_t i = 0; i < std::size(kClientHintHeaders); ++i) {
    if (key.empty() || key.front() != (present[i] ? '\n' : '\r')) return false;
    key.remove_prefix(1);
    if (!key.starts_with(values[i])) return false;
    key.remove_prefix(values[i].size());
  }
  return key.empty();
}

}  // namespace

void fillEvent(const ClientFacts& facts, events::Event& event) {
  assignKnown(event.osName, facts.osName);
  assignIf(event.osVersion, event.osName.has_value(), facts.osVersion);
  assignKnown(event.browserName, facts.browserName);
  assignIf(event.browserVersion, event.browserName.has_value(), facts.browserVersion);
  event.deviceType = deviceTypeName(facts.deviceType);
  assignKnown(event.deviceFamily, facts.deviceFamily);
  assignIf(event.deviceBrand, true, facts.deviceBrand);
  assignIf(event.deviceModel, true, facts.deviceModel);
  event.bot = facts.bot;
}

ClientDescriber::ClientDescriber(std::shared_ptr<const UaRegexes> regexes, size_t cacheEntries,
                                 UaMode mode)
    : regexes_(std::move(regexes)), scratch_(*regexes_), cache_(cacheEntries), mode_(mode) {}

const ClientFacts& ClientDescriber::describe(std::span<const HeaderField> headers) {
  // The key is the UA plus every hint value (absent and empty differ), so a cached answer is
  // only reused for byte-identical inputs.
  std::string_view ua;
  std::string_view hintValues[std::size(kClientHintHeaders)];
  bool hintPresent[std::size(kClientHintHeaders)] = {};
  for (const auto& h : headers) {
    if (equalsIgnoreCase(h.name, "User-Agent")) {
      if (ua.empty()) ua = h.value;
      continue;
    }
    if (h.name.size() < 9 || (h.name[0] | 0x20) != 's' || h.value.size() > kMaxHintBytes) continue;
    for (size_t i = 0; i < std::size(kClientHintHeaders); ++i) {
      if (equalsIgnoreCase(h.name, kClientHintHeaders[i])) {
        hintValues[i] = h.value;
        hintPresent[i] = true;
      }
    }
  }
  ua = ua.substr(0, kMaxUaBytes);
  // The previous key compared piece by piece, before building this request's key at all.
  if (lastHit_ != nullptr && sameKey(lastKey_, ua, hintPresent, hintValues)) return *lastHit_;
  // Sized once and written through a pointer: an append per piece (two per hint, most of them
  // empty) cost as much as hashing the key.
  size_t size = ua.size() + std::size(kClientHintHeaders);
  for (std::string_view v : hintValues) size += v.size();
  key_.resize(size);
  char* p = key_.data();
  if (!ua.empty()) std::memcpy(p, ua.data(), ua.size());  // no User-Agent: a null data()
  p += ua.size();
  for (size_t i = 0; i < std::size(kClientHintHeaders); ++i) {
    *p++ = hintPresent[i] ? '\n' : '\r';
    if (!hintValues[i].empty()) std::memcpy(p, hintValues[i].data(), hintValues[i].size());
    p += hintValues[i].size();
  }
  if (const ClientFacts* hit = cache_.find(key_)) {
    // Swapped, not copied: key_ is rebuilt from scratch on the next call anyway.
    lastKey_.swap(key_);
    lastHit_ = hit;
    return *hit;
  }
  ++misses_;
  RawParse raw = regexes_->parse(ua, scratch_);
  last_ = describeClient(raw, ua, readClientHints(headers), mode_);
  cache_.put(key_, last_);
  lastHit_ = nullptr;
  return last_;
}

}  // namespace consentry::filters::telemetry
