#include "filters/request_decider.h"

#include <algorithm>

#include "base/http_header.h"
#include "base/short_compare.h"
#include "events/uuid7.h"
#include "filters/chain_metrics.h"
#include "filters/consent/cookie_jar.h"
#include "filters/policy/region_policy.h"
#include "filters/telemetry/language.h"
#include "filters/telemetry/visitor_id.h"

namespace consentry::filters {
namespace {

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (equalsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view headerValue(const RequestInfo& request, std::string_view name) {
  const HeaderField* h = findHeader(request.headers, name);
  return h != nullptr ? h->value : std::string_view{};
}

// The path part of a request-target: origin-form as is, absolute-form without scheme/authority.
std::string_view targetPath(std::string_view target) {
  if (!target.empty() && target.front() != '/') {
    const size_t scheme = target.find("://");
    if (scheme != std::string_view::npos) {
      const size_t slash = target.find('/', scheme + 3);
      return slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
  }
  return target;
}

std::shared_ptr<telemetry::DailySecret> dailySecret() {
  // One per process: the key must not change on reload, or ids would split mid-day.
  static auto secret = std::make_shared<telemetry::DailySecret>();
  return secret;
}

}  // namespace

WorkerState::WorkerState(const ChainShared& shared)
    : describer(shared.uaRegexes, shared.config->telemetry.uaCacheEntries) {}

const std::optional<std::string>& WorkerState::preferredLanguage(std::string_view acceptLanguage) {
  for (size_t i = 0; i < languagesUsed; ++i) {
    if (sameBytes(languages[i].acceptLanguage, acceptLanguage)) return languages[i].language;
  }
  LanguageMemo& slot = languages[nextLanguage];
  nextLanguage = (nextLanguage + 1) % languages.size();
  languagesUsed = std::max(languagesUsed, nextLanguage == 0 ? languages.size() : nextLanguage);
  slot.acceptLanguage.assign(acceptLanguage);
  slot.language = telemetry::preferredLanguage(acceptLanguage);
  return slot.language;
}

bool isDocumentRequest(const RequestInfo& request) {
  if (request.method != "GET") return false;
  const HeaderField* dest = findHeader(request.headers, "sec-fetch-dest");
  if (dest != nullptr) return equalsIgnoreCase(dest->value, "document");
  return containsIgnoreCase(headerValue(request, "accept"), "text/html");
}

void decideRegion(const ChainShared& shared, const IpAddress& client, Decision& out) {
  auto region = policy::decideRegion(*shared.regions, shared.geo.get(), client);
  out.region = region.rules;
  out.geo = region.geo;
}

void finishEvent(const ChainShared& shared, const Decision& decision, events::Event& event) {
  // The decision's own location, not a RegionDecision copy of it (three strings per event).
  policy::applyRegion(*decision.region, decision.geo, event);
  shared.scrubber->scrubEvent(event);
}

void fillEventFromRequest(const ChainShared& shared, WorkerState& worker,
                          const RequestInfo& request, const Decision& decision,
                          events::Event& event) {
  const auto& facts = worker.describer.describe(request.headers);
  telemetry::fillEvent(facts, event);
  event.bot = facts.bot;
  event.ip = request.client;
  // One pass for both headers (first occurrence of each, as findHeader answers).
  std::string_view acceptLanguage, referrer;
  bool haveLanguage = false, haveReferrer = false;
  for (const HeaderField& h : request.headers) {
    if (!haveLanguage && equalsLowerLiteral(h.name, "accept-language")) {
      acceptLanguage = h.value;
      haveLanguage = true;
    } else if (!haveReferrer && equalsLowerLiteral(h.name, "referer")) {
      referrer = h.value;
      haveReferrer = true;
    }
  }
  if (const auto& language = worker.preferredLanguage(acceptLanguage)) event.language = *language;
  if (!request.host.empty()) event.host.emplace(request.host);
  if (!referrer.empty()) event.referrer.emplace(referrer);
  if (!decision.visitorId.empty()) event.visitor = decision.visitorId;
  events::ConsentInfo& info = event.consent.emplace();
  info.analytics = decision.consent.analytics;
  info.marketing = decision.consent.marketing;
  info.functional = decision.consent.functional;
  info.source = decision.consent.source;  // a static name (consent::sourceTypeName)
  info.policyVersion = decision.consent.policyVersion;
  (void)shared;
}

Decision decideRequest(const ChainShared& shared, WorkerState& worker, const RequestInfo& request) {
  const auto& cfg = *shared.config;
  Decision d;
  // One pass over the Cookie headers serves the consent sources, `require` and the visitor id.
  const consent::CookieJar cookies(request.headers);
  d.consent = shared.consent->evaluate(cookies, request.headers, request.time);
  chainMetrics().countDecision(d.consent.analytics, d.consent.reason);

  const bool cookieIds = cfg.telemetry.visitorId == config::VisitorIdMode::Cookie;
  std::optional<std::string_view> existing;
  if (cookieIds) {
    existing = cookies.find(cfg.telemetry.visitorCookie);
    if (existing && !telemetry::isValidVisitorId(*existing)) existing.reset();
  }

  if (!d.consent.analytics) {
    if (existing) {
      // Withdrawal (SPEC §3): expire our cookie and tell pipelines whose data to erase. The
      // event carries nothing but the id, the region and the time.
      d.visitor = VisitorAction::Expire;
      d.visitorId = *existing;
      decideRegion(shared, request.client, d);
      events::Event withdrawn;
      withdrawn.type = events::EventType::ConsentWithdrawn;
      withdrawn.id = events::newEventId(request.time);
      withdrawn.time = request.time;
      withdrawn.region = d.region->name;
      withdrawn.visitor = d.visitorId;
      d.event = std::move(withdrawn);
      d.reason = "consent_withdrawn";
      chainMetrics().withdrawals.fetch_add(1, std::memory_order_relaxed);
    } else {
      d.reason = "no_consent";
    }
    return d;
  }

  d.addAcceptCh = cfg.telemetry.clientHints;
  if (cookieIds) {
    if (existing) {
      d.visitorId = *existing;
    } else if (auto id = telemetry::newVisitorId()) {
      d.visitorId = *id;
      d.visitor = VisitorAction::Set;
    }
  } else if (cfg.telemetry.visitorId == config::VisitorIdMode::DailyHash) {
    thread_local telemetry::DailyHasher hasher(dailySecret());
    if (auto h = hasher.hash(request.host, request.client.toString(),
                             headerValue(request, "user-agent"), request.time)) {
      d.visitorId = *h;
    }
  }

  switch (cfg.telemetry.record) {
    case config::RecordMode::None:
      d.reason = "record_none";
      return d;
    case config::RecordMode::Documents:
      if (!isDocumentRequest(request)) {
        d.reason = "not_a_document";
        return d;
      }
      break;
    case config::RecordMode::All:
      break;
  }

  decideRegion(shared, request.client, d);
  // Built in place: an Event is large, and moving it in afterwards showed up in profiles.
  events::Event& event = d.event.emplace();
  event.type = events::EventType::Pageview;
  event.id = events::newEventId(request.time);
  event.time = request.time;
  event.path.emplace(targetPath(request.target));
  fillEventFromRequest(shared, worker, request, d, event);
  if (event.bot.value_or(false) && cfg.telemetry.bots == config::BotMode::Drop) {
    chainMetrics().botsDropped.fetch_add(1, std::memory_order_relaxed);
    d.event.reset();
    d.reason = "bot";
    return d;
  }
  finishEvent(shared, d, event);
  d.reason = "recorded";
  return d;
}

}  // namespace consentry::filters
