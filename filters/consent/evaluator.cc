#include "filters/consent/evaluator.h"

#include <array>
#include <atomic>
#include <string>

#include "base/short_compare.h"
#include "filters/consent/cookie_header.h"
#include "filters/consent/sources.h"
#include "filters/consent/tcf_source.h"

namespace consentry::filters::consent {
namespace {

using Outcome = SourceDecision::Outcome;

SourceDecision decideSourceUncached(const config::ConsentSource& source, std::string_view raw,
                                    std::chrono::system_clock::time_point now) {
  if (raw.size() > kMaxConsentCookieBytes) return SourceDecision::none(Outcome::Oversized);
  // The formats whose values carry a per-visitor id (the memo below misses them) read the value
  // as sent, decoding only what their decision reads; same decision as decoding it first.
  if (source.type == config::ConsentSourceType::OneTrust) return parseOneTrustEncoded(source, raw);
  if (source.type == config::ConsentSourceType::Cookiebot) {
    return parseCookiebotEncoded(source, raw);
  }
  // Percent-decoded exactly once (SPEC §2); most values carry no escape and stay a view. The
  // decoded copy lives in per-thread scratch (the parsers below keep no view of it).
  thread_local std::string decoded;
  std::string_view value = raw;
  if (needsPercentDecode(raw)) {
    percentDecodeInto(raw, decoded);
    value = decoded;
  }
  if (source.type == config::ConsentSourceType::Tcf) {
    return tcf::parseTcfCookie(source, value, now);
  }
  return parseCookieSource(source, value);
}

// Visitors send the same consent cookie on every request, so each thread remembers the last
// few decisions per evaluator. Only for sources whose decision is a function of the cookie value
// alone: a TC string's validity also depends on the time (max_consent_age). Several entries,
// because one worker interleaves visitors: a site's own kv values repeat across visitors, but
// CMP cookies carrying a per-visitor id (OneTrust, Cookiebot) arrive between them, and with a
// single entry each of those evicted the kv decision (most kv requests of the varied event-path
// bench re-parsed their cookie).
struct SourceMemo {
  uint64_t evaluator = 0;
  size_t source = 0;
  std::string raw;
  SourceDecision decision;
};

struct SourceMemos {
  static constexpr size_t kEntries = 8;
  std::array<SourceMemo, kEntries> entries;
  size_t next = 0;  // the entry a miss replaces (round robin)
};

SourceDecision decideSource(uint64_t evaluator, size_t index, const config::ConsentSource& source,
                            std::string_view raw, std::chrono::system_clock::time_point now) {
  // Not memoised: a TC string (its validity also depends on the time), and the formats whose
  // value carries a per-visitor id (OneTrust's consentId, Cookiebot's stamp): those rarely
  // repeat within 8 entries of a worker's traffic, and each miss cost a compare against every
  // entry, a copy, and the eviction of a site kv value that would have hit.
  if (source.type == config::ConsentSourceType::Tcf ||
      source.type == config::ConsentSourceType::OneTrust ||
      source.type == config::ConsentSourceType::Cookiebot) {
    return decideSourceUncached(source, raw, now);
  }
  thread_local SourceMemos memos;
  for (const SourceMemo& memo : memos.entries) {
    if (memo.evaluator == evaluator && memo.source == index && sameBytes(memo.raw, raw)) {
      return memo.decision;
    }
  }
  SourceDecision decision = decideSourceUncached(source, raw, now);
  SourceMemo& memo = memos.entries[memos.next];
  memos.next = (memos.next + 1) % SourceMemos::kEntries;
  memo.evaluator = evaluator;
  memo.source = index;
  memo.raw.assign(raw);
  memo.decision = decision;
  return decision;
}

uint64_t nextEvaluatorId() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}

ConsentResult refuseAll(ConsentResult r, Reason reason) {
  r.analytics = r.marketing = r.functional = false;
  r.reason = reason;
  return r;
}

}  // namespace

std::string_view sourceTypeName(config::ConsentSourceType type) {
  switch (type) {
    case config::ConsentSourceType::Cookie:
      return "cookie";
    case config::ConsentSourceType::Tcf:
      return "tcf";
    case config::ConsentSourceType::OneTrust:
      return "onetrust";
    case config::ConsentSourceType::Cookiebot:
      return "cookiebot";
    case config::ConsentSourceType::CookieYes:
      return "cookieyes";
    case config::ConsentSourceType::CcCookie:
      return "cc_cookie";
    case config::ConsentSourceType::Klaro:
      return "klaro";
  }
  return "";
}

bool gpcEnabled(std::span<const HeaderField> headers) {
  for (const HeaderField& h : headers) {
    if (!equalsLowerLiteral(h.name, "sec-gpc")) continue;
    std::string_view v = h.value;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v == "1";
  }
  return false;
}

ConsentEvaluator::ConsentEvaluator(config::Consent config)
    : config_(std::move(config)), id_(nextEvaluatorId()) {}

ConsentResult ConsentEvaluator::evaluate(std::span<const HeaderField> headers,
                                         std::chrono::system_clock::time_point now) const {
  const CookieJar cookies(headers);
  return evaluate(cookies, headers, now);
}

ConsentResult ConsentEvaluator::evaluate(const CookieJar& cookies,
                                         std::span<const HeaderField> headers,
                                         std::chrono::system_clock::time_point now) const {
  ConsentResult result;
  // A failed source (malformed, invalid, expired) does not stop later ones: each is the
  // visitor's own signal. The first failure is what we report if none decides.
  std::optional<Reason> failure;
  const config::ConsentSource* winner = nullptr;
  SourceDecision decision;
  for (size_t i = 0; i < config_.sources.size(); ++i) {
    const config::ConsentSource& source = config_.sources[i];
    std::optional<std::string_view> raw = cookies.find(source.cookie);
    if (!raw) continue;
    decision = decideSource(id_, i, source, *raw, now);
    if (decision.hasDecision()) {
      winner = &source;
      break;
    }
    if (decision.outcome != Outcome::NoDecision && !failure) {
      failure = reasonFor(decision.outcome);
    }
  }
  if (!winner) return refuseAll(result, failure.value_or(Reason::NoDecision));

  result.source = sourceTypeName(winner->type);
  result.policyVersion = decision.policyVersion;
  result.analytics = decision.categories.analytics;
  result.marketing = decision.categories.marketing;
  result.functional = decision.categories.functional;

  // Sources without a policy version (TCF, OneTrust, Klaro) cannot be held to one.
  if (config_.minPolicyVersion && decision.policyVersion &&
      *decision.policyVersion < *config_.minPolicyVersion) {
    return refuseAll(result, Reason::PolicyOutdated);
  }
  for (const config::RequiredCookie& req : config_.require) {
    std::optional<std::string_view> v = cookies.find(req.cookie);
    if (!v || *v != req.value) return refuseAll(result, Reason::RequiredCookieMissing);
  }
  if (config_.gpc != config::GpcMode::Ignore && gpcEnabled(headers)) {
    result.marketing = false;
    if (config_.gpc == config::GpcMode::RefuseAll) {
      bool hadAnalytics = result.analytics;
      result.analytics = result.functional = false;
      if (hadAnalytics) {
        result.reason = Reason::Gpc;
        return result;
      }
    }
  }
  result.reason = result.analytics ? Reason::Granted : Reason::Refused;
  return result;
}

}  // namespace consentry::filters::consent
