#include "filters/telemetry_chain.h"

#include <chrono>

#include "events/pipeline.h"
#include "events/uuid7.h"
#include "filters/beacon/beacon_parser.h"
#include "filters/chain_metrics.h"
#include "filters/consent/cookie_jar.h"
#include "filters/telemetry/language.h"
#include "filters/telemetry/visitor_id.h"

namespace consentry::filters {
namespace {

// High-entropy hints worth asking for; the low-entropy ones arrive without asking.
constexpr std::string_view kAcceptCh =
    "Sec-CH-UA-Platform-Version, Sec-CH-UA-Full-Version-List, Sec-CH-UA-Model";

std::string_view pathOnly(std::string_view target) {
  const size_t q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

bool isHtml(std::span<const HeaderField> headers) {
  const HeaderField* ct = findHeader(headers, "content-type");
  if (ct == nullptr) return false;
  std::string_view v = ct->value;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return v.size() >= 9 && equalsIgnoreCase(v.substr(0, 9), "text/html");
}

void emit(const ChainShared& shared, unsigned worker, const events::Event& event) {
  if (shared.pipeline == nullptr) return;
  if (shared.pipeline->outbox(worker).push(event)) {
    chainMetrics().eventsEmitted.fetch_add(1, std::memory_order_relaxed);
  } else {
    chainMetrics().outboxRejected.fetch_add(1, std::memory_order_relaxed);
  }
}

LocalResponse simpleResponse(int status, std::string contentType, std::string body) {
  LocalResponse r;
  r.status = status;
  if (!contentType.empty()) r.headers.emplace_back("Content-Type", std::move(contentType));
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

// A forwarded request: consent was decided at begin(); the response side enforces cookies and
// client hints, and the log step emits the pageview (or withdrawal).
class ForwardExchange : public Exchange {
 public:
  ForwardExchange(std::shared_ptr<const ChainShared> shared, unsigned worker, Decision decision,
                  bool secure)
      : shared_(std::move(shared)),
        worker_(worker),
        decision_(std::move(decision)),
        secure_(secure) {}

  bool isLocal() const override { return false; }
  uint64_t bodyLimit() const override { return 0; }
  void onRequestBody(std::string_view) override {}
  LocalResponse localResponse() override { return {}; }

  void onResponseHeaders(int, std::span<const HeaderField> headers, ResponseEdits& edits) override {
    const auto& granted = decision_.consent;
    GrantedCategories cats{granted.analytics, granted.marketing, granted.functional};
    edits.removeHeaders = shared_->cookies->headersToStrip(headers, cats);
    if (!granted.analytics) {
      // SPEC §9.5: without analytics consent no client hints are requested, not even by the origin.
      for (size_t i = 0; i < headers.size(); ++i) {
        if (equalsIgnoreCase(headers[i].name, "accept-ch")) edits.removeHeaders.push_back(i);
      }
    }
    const auto& cookieName = shared_->config->telemetry.visitorCookie;
    if (decision_.visitor == VisitorAction::Set) {
      edits.addHeaders.emplace_back(
          "Set-Cookie", telemetry::visitorCookie(cookieName, decision_.visitorId, secure_));
    } else if (decision_.visitor == VisitorAction::Expire) {
      edits.addHeaders.emplace_back("Set-Cookie",
                                    telemetry::expiredVisitorCookie(cookieName, secure_));
    }
    if (decision_.addAcceptCh && isHtml(headers)) {
      edits.addHeaders.emplace_back("Accept-CH", std::string(kAcceptCh));
    }
  }

  void onComplete(int status) override {
    if (!decision_.event) return;
    // A request that never got an answer was not a page view; a withdrawal stands regardless.
    if (status == 0 && decision_.event->type == events::EventType::Pageview) return;
    emit(*shared_, worker_, *decision_.event);
    decision_.event.reset();
  }

 private:
  std::shared_ptr<const ChainShared> shared_;
  unsigned worker_;
  Decision decision_;
  bool secure_;
};

// POST {beacon.path}: parsed whatever the consent, so the answer (204, 400 or 413) never depends
// on consent state; events are built only with analytics consent.
class BeaconExchange : public Exchange {
 public:
  BeaconExchange(std::shared_ptr<const ChainShared> shared, WorkerState& state, unsigned worker,
                 const RequestInfo& request)
      : shared_(std::move(shared)), worker_(worker), arrived_(request.time) {
    Decision d;
    const consent::CookieJar cookies(request.headers);
    d.consent = shared_->consent->evaluate(cookies, request.headers, request.time);
    chainMetrics().countDecision(d.consent.analytics, d.consent.reason);
    consented_ = d.consent.analytics;
    if (!consented_) return;
    const auto& telemetryCfg = shared_->config->telemetry;
    if (telemetryCfg.visitorId == config::VisitorIdMode::Cookie) {
      auto id = cookies.find(telemetryCfg.visitorCookie);
      if (id && telemetry::isValidVisitorId(*id)) d.visitorId = *id;
    }
    decideRegion(*shared_, request.client, d);
    fillEventFromRequest(*shared_, state, request, d, base_);
    if (base_.bot.value_or(false) && telemetryCfg.bots == config::BotMode::Drop) {
      consented_ = false;
      chainMetrics().botsDropped.fetch_add(1, std::memory_order_relaxed);
    }
    decision_ = std::move(d);
    // The Referer of a beacon is the page that sent it: its path is the page path.
    if (base_.referrer) {
      const auto& ref = *base_.referrer;
      const size_t scheme = ref.find("://");
      const size_t slash =
          scheme == std::string::npos ? std::string::npos : ref.find('/', scheme + 3);
      if (slash != std::string::npos) base_.path = ref.substr(slash);
      base_.referrer.reset();  // the page's own referrer comes in the beacon body
    }
    acceptLanguage_ = base_.language;
  }

  bool isLocal() const override { return true; }
  uint64_t bodyLimit() const override { return shared_->config->telemetry.beacon.maxBytes; }

  void onRequestBody(std::string_view body) override {
    const auto& beaconCfg = shared_->config->telemetry.beacon;
    BeaconLimits limits;
    limits.maxBytes = beaconCfg.maxBytes;
    limits.maxEvents = beaconCfg.maxEvents;
    auto parsed = parseBeacon(body, limits);
    if (parsed.status != 200) {
      (parsed.status == 413 ? chainMetrics().beaconsTooLarge : chainMetrics().beaconsMalformed)
          .fetch_add(1, std::memory_order_relaxed);
      response_ = simpleResponse(parsed.status, "application/json", beaconErrorJson(parsed));
      return;
    }
    response_ = simpleResponse(204, "", "");
    if (!consented_) {
      chainMetrics().beaconsUnconsented.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    for (auto& b : parsed.events) {
      events::Event e = base_;
      e.type = events::EventType::Beacon;
      // Every event of one beacon carries the request's arrival time, like a pageview does.
      e.id = events::newEventId(arrived_);
      e.time = arrived_;
      e.name = std::move(b.name);
      e.screen = b.screen;
      e.viewport = b.viewport;
      e.language.reset();
      std::optional<std::string_view> beaconLang;
      if (b.language) beaconLang = *b.language;
      if (auto lang = telemetry::chooseLanguage(beaconLang, acceptLanguage_.value_or(""))) {
        e.language = std::move(*lang);
      }
      if (b.path) e.path = std::move(*b.path);
      if (b.referrer && !b.referrer->empty()) e.referrer = std::move(*b.referrer);
      if (!b.props.empty()) e.props = std::move(b.props);
      finishEvent(*shared_, decision_, e);
      emit(*shared_, worker_, e);
    }
  }

  LocalResponse localResponse() override { return std::move(response_); }
  void onResponseHeaders(int, std::span<const HeaderField>, ResponseEdits&) override {}
  void onComplete(int) override {}

 private:
  std::shared_ptr<const ChainShared> shared_;
  unsigned worker_;
  std::chrono::system_clock::time_point arrived_;
  bool consented_ = false;
  Decision decision_;
  events::Event base_;
  std::optional<std::string> acceptLanguage_;
  LocalResponse response_ = simpleResponse(400, "application/json", "{\"error\":\"no body\"}");
};

// GET {beacon.script}, and anything else answered locally without a body to read.
class StaticExchange : public Exchange {
 public:
  explicit StaticExchange(LocalResponse response) : response_(std::move(response)) {}
  bool isLocal() const override { return true; }
  uint64_t bodyLimit() const override { return 0; }
  void onRequestBody(std::string_view) override {}
  LocalResponse localResponse() override { return std::move(response_); }
  void onResponseHeaders(int, std::span<const HeaderField>, ResponseEdits&) override {}
  void onComplete(int) override {}

 private:
  LocalResponse response_;
};

}  // namespace

TelemetryChain::TelemetryChain(std::shared_ptr<const ChainShared> shared, unsigned worker)
    : shared_(std::move(shared)), state_(*shared_), worker_(worker) {}

std::unique_ptr<Exchange> TelemetryChain::begin(const RequestInfo& request) {
  const auto& beacon = shared_->config->telemetry.beacon;
  const std::string_view path = pathOnly(request.target);
  if (path == beacon.script) {
    if (request.method != "GET" && request.method != "HEAD") {
      auto r = simpleResponse(405, "text/plain", "method not allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
      return std::make_unique<StaticExchange>(std::move(r));
    }
    LocalResponse r;
    r.headers = {{"Content-Type", "application/javascript; charset=utf-8"},
                 {"Cache-Control", "public, max-age=3600"},
                 {"X-Content-Type-Options", "nosniff"}};
    r.body = shared_->trackerScript;
    return std::make_unique<StaticExchange>(std::move(r));
  }
  if (path == beacon.path) {
    if (request.method != "POST") {
      auto r = simpleResponse(405, "application/json", "{\"error\":\"use POST\"}");
      r.headers.emplace_back("Allow", "POST");
      return std::make_unique<StaticExchange>(std::move(r));
    }
    return std::make_unique<BeaconExchange>(shared_, state_, worker_, request);
  }
  Decision d = decideRequest(*shared_, state_, request);
  return std::make_unique<ForwardExchange>(shared_, worker_, std::move(d),
                                           request.scheme == "https");
}

Result<void> ChainFactory::prepare(const config::ConfigPtr& config) {
  std::shared_ptr<geo::GeoDatabase> geo;
  {
    std::lock_guard lock(mutex_);
    if (geo_ && !config->geo.database.empty() && geo_->path() == config->geo.database) geo = geo_;
  }
  auto shared = buildChainShared(config, geo, pipeline_);
  if (!shared) return shared.error();
  std::lock_guard lock(mutex_);
  geo_ = (*shared)->geo;
  prepared_[config.get()] = *shared;
  return {};
}

std::unique_ptr<Chain> ChainFactory::make(const config::Config& config, unsigned worker) {
  std::shared_ptr<const ChainShared> shared;
  {
    std::lock_guard lock(mutex_);
    auto it = prepared_.find(&config);
    if (it == prepared_.end()) return nullptr;
    shared = it->second;
  }
  return std::make_unique<TelemetryChain>(std::move(shared), worker);
}

void ChainFactory::retainOnly(const config::Config* keep) {
  std::lock_guard lock(mutex_);
  for (auto it = prepared_.begin(); it != prepared_.end();) {
    it = it->first == keep ? std::next(it) : prepared_.erase(it);
  }
}

std::shared_ptr<geo::GeoDatabase> ChainFactory::geoDatabase() const {
  std::lock_guard lock(mutex_);
  return geo_;
}

}  // namespace consentry::filters
