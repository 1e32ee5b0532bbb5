// Every cookie consent format and the evaluator on arbitrary Cookie headers.
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "filters/consent/cookie_header.h"
#include "filters/consent/evaluator.h"
#include "filters/consent/sources.h"

using namespace consentry;
using namespace consentry::filters::consent;

namespace {

config::Consent makeConfig(uint8_t selector) {
  config::Consent c;
  auto add = [&](config::ConsentSourceType type, const char* cookie) {
    config::ConsentSource s;
    s.type = type;
    s.cookie = cookie;
    c.sources.push_back(s);
  };
  add(config::ConsentSourceType::Cookie, "site_consent");
  c.sources.back().map = {{"analytics", {"analytics"}}, {"marketing", {"ads"}}};
  if (selector & 1) c.sources.back().format = config::CookieFormat::Json;
  add(config::ConsentSourceType::Tcf, "euconsent-v2");
  add(config::ConsentSourceType::OneTrust, "OptanonConsent");
  add(config::ConsentSourceType::Cookiebot, "CookieConsent");
  add(config::ConsentSourceType::CookieYes, "cookieyes-consent");
  add(config::ConsentSourceType::CcCookie, "cc_cookie");
  add(config::ConsentSourceType::Klaro, "klaro");
  if (selector & 2) c.minPolicyVersion = 3;
  if (selector & 4) c.require = {{"age_verified", "1"}};
  c.gpc = static_cast<config::GpcMode>((selector >> 3) % 3);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t selector = data[0];
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  // Each parser directly on the raw bytes.
  config::Consent cfg = makeConfig(selector);
  std::string decoded = percentDecode(text);
  for (const config::ConsentSource& s : cfg.sources) {
    if (s.type == config::ConsentSourceType::Tcf) continue;
    SourceDecision d = parseCookieSource(s, decoded);
    if (!d.hasDecision() && (d.categories.analytics || d.categories.marketing)) std::abort();
    // The formats read still encoded must decide as the full parse of the decoded value.
    std::optional<SourceDecision> encoded;
    if (s.type == config::ConsentSourceType::OneTrust) encoded = parseOneTrustEncoded(s, text);
    if (s.type == config::ConsentSourceType::Cookiebot) encoded = parseCookiebotEncoded(s, text);
    if (encoded && (encoded->outcome != d.outcome || encoded->categories != d.categories ||
                    encoded->policyVersion != d.policyVersion)) {
      std::abort();
    }
  }

  // The evaluator on the bytes as one Cookie header, with and without GPC.
  bool gpc = selector & 0x40;
  std::vector<HeaderField> headers = {{"Cookie", text}};
  if (gpc) headers.push_back({"Sec-GPC", "1"});
  ConsentEvaluator evaluator(cfg);
  ConsentResult r = evaluator.evaluate(headers, std::chrono::system_clock::now());
  if (r.analytics != (r.reason == Reason::Granted)) std::abort();
  if (r.source.empty() && (r.analytics || r.marketing || r.functional)) std::abort();
  if (gpc && cfg.gpc != config::GpcMode::Ignore && r.marketing) std::abort();
  if (gpc && cfg.gpc == config::GpcMode::RefuseAll && (r.analytics || r.functional)) std::abort();
  if (!cfg.require.empty() && r.analytics) {
    auto v = findCookie(headers, "age_verified");
    if (!v || *v != "1") std::abort();
  }
  if (cfg.minPolicyVersion && r.analytics && r.policyVersion && *r.policyVersion < 3) std::abort();
  return 0;
}
