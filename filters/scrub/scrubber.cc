#include "filters/scrub/scrubber.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/byte_scan.h"
#include "filters/scrub/char_class.h"
#include "filters/scrub/percent.h"
#include "filters/scrub/url_masks.h"

namespace consentry::filters::scrub {
namespace {

constexpr size_t kMaxSpans = 32;

DetectorSet detectorsFromNames(const std::vector<std::string>& names) {
  DetectorSet set;
  for (const std::string& name : names) {
    Detector d;
    if (detectorFromName(name, d)) set.add(d);
  }
  return set;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (toLower(a[i]) != toLower(b[i])) return false;
  }
  return true;
}

// Scratch space, reused per thread so the hot path stops allocating once warm: a URL with PII
// used to allocate four times (the redacted text, each fixpoint pass, its re-encoding and the
// rewritten URL) before the event got it. Each buffer has one user at a time: scrubbing does not
// re-enter itself.
enum Scratch : size_t { kDecodedOnce, kDecodedTwice, kRedactedA, kRedactedB, kEncoded, kRewritten };

std::string& scratch(Scratch which) {
  thread_local std::array<std::string, 6> buffers;
  std::string& s = buffers[which];
  s.clear();
  return s;
}

// `text` decoded for matching: once, and a second time for double-encoded input (%2540).
std::string_view decodeForMatching(std::string_view text, bool plusIsSpace) {
  std::string& once = scratch(kDecodedOnce);
  percentDecode(text, plusIsSpace, once);
  if (!needsDecoding(once, false)) return once;
  std::string& twice = scratch(kDecodedTwice);
  percentDecode(once, false, twice);
  return twice;
}

// The answers UrlMasks gives, from a scan of the URL per question: for URLs too long for the
// masks, and as the reference the masks are tested against. Components are left to findPii to
// narrow (counting them here would count them twice).
class ScanFacts {
 public:
  static constexpr bool kNarrowsComponents = false;
  explicit ScanFacts(std::string_view url) : url_(url) {}
  template <UrlMark Mark>
  size_t next(size_t from, size_t end) const {
    const std::string_view upTo = url_.substr(0, end);
    if constexpr (Mark == UrlMark::Slash) return findEitherByte(upTo, from, '/', '/');
    if constexpr (Mark == UrlMark::Question) return findEitherByte(upTo, from, '?', '?');
    if constexpr (Mark == UrlMark::Hash) return findEitherByte(upTo, from, '#', '#');
    if constexpr (Mark == UrlMark::HashOrQuestion) return findEitherByte(upTo, from, '#', '?');
    if constexpr (Mark == UrlMark::PairEnd) return findEitherByte(upTo, from, '&', ';');
    if constexpr (Mark == UrlMark::Equals) return findEitherByte(upTo, from, '=', '=');
  }
  bool hasPercent() const { return findEitherByte(url_, 0, '%', '%') < url_.size(); }
  bool needsDecoding(size_t begin, size_t end, bool plusIsSpace) const {
    return scrub::needsDecoding(url_.substr(begin, end - begin), plusIsSpace);
  }
  DetectorSet possible(size_t begin, size_t end, DetectorSet set) const {
    return possibleDetectors(url_.substr(begin, end - begin), set);
  }

 private:
  std::string_view url_;
};

// UrlMasks answers from one pass over the URL, and narrows every component exactly.
template <size_t Words>
class MaskFacts : public UrlMasks<Words> {
 public:
  static constexpr bool kNarrowsComponents = true;
};

}  // namespace

// Builds the scrubbed copy lazily in per-thread scratch (replacements arrive left to right), then
// copies it over the source, whose buffer usually has room already.
class Scrubber::Rewriter {
 public:
  explicit Rewriter(const std::string& source) : src_(source) {}
  const std::string& source() const { return src_; }
  void replace(size_t begin, size_t end, std::string_view with) {
    // The scratch buffer only once something changes: most URLs are left as they are.
    if (out_ == nullptr) out_ = &scratch(kRewritten);
    out_->append(src_, copied_, begin - copied_);
    out_->append(with);
    copied_ = end;
  }
  bool finish(std::string& target) {
    if (out_ == nullptr) return false;
    out_->append(src_, copied_, std::string::npos);
    target.assign(*out_);
    return true;
  }

 private:
  const std::string& src_;
  std::string* out_ = nullptr;
  size_t copied_ = 0;
};

Scrubber::Scrubber(const config::Privacy& privacy)
    : Scrubber(privacy.scrubQueryParams, detectorsFromNames(privacy.detectors)) {}

Scrubber::Scrubber(const std::vector<std::string>& queryParams, DetectorSet detectors)
    : detectors_(detectors) {
  params_.reserve(queryParams.size());
  for (std::string p : queryParams) {
    for (char& c : p) c = toLower(c);
    params_.push_back(std::move(p));
  }
  // Grouped by length, so that a name is compared only with the entries of its own length.
  auto bucket = [](const std::string& p) { return std::min<size_t>(p.size(), kLongParam); };
  std::stable_sort(params_.begin(), params_.end(), [&](const std::string& a, const std::string& b) {
    return bucket(a) < bucket(b);
  });
  for (size_t length = 0, i = 0; length <= kLongParam; ++length) {
    while (i < params_.size() && bucket(params_[i]) < length) ++i;
    paramsFrom_[length] = i;
  }
  paramsFrom_[kLongParam + 1] = params_.size();
}

bool Scrubber::isScrubbedParam(std::string_view name) const {
  if (name.size() > 2 && name[name.size() - 2] == '[' && name.back() == ']') name.remove_suffix(2);
  if (!name.empty() && name.back() == ']') {
    const size_t open = name.rfind('[');
    if (open != std::string_view::npos) name = name.substr(open + 1, name.size() - open - 2);
  }
  const size_t length = std::min(name.size(), kLongParam);
  for (size_t i = paramsFrom_[length]; i < paramsFrom_[length + 1]; ++i) {
    if (equalsNoCase(name, params_[i])) return true;
  }
  return false;
}

bool Scrubber::paramNameMatches(std::string_view rawName, bool escaped) const {
  if (params_.empty() || rawName.empty()) return false;
  if (!escaped) return isScrubbedParam(rawName);
  return isScrubbedParam(decodeForMatching(rawName, true));
}

namespace {

// `text` with its `spans` replaced by the marker, into `out`.
void redactSpans(std::string_view text, const Span* spans, size_t n, std::string& out) {
  size_t copied = 0;
  for (size_t i = 0; i < n; ++i) {
    out.append(text.substr(copied, spans[i].begin - copied));
    out.append(kRedacted);
    copied = spans[i].end;
  }
  out.append(text.substr(copied));
}

// Redacts until nothing matches: a marker can give new context to its neighbours (an address
// after a redacted email no longer follows a letter), and scrubbing must be idempotent.
// The result lives in per-thread scratch until the next call.
std::string_view redactToFixpoint(std::string_view text, DetectorSet detectors,
                                  std::array<Span, kMaxSpans>& spans, size_t n) {
  std::string* out = &scratch(kRedactedA);
  std::string* spare = &scratch(kRedactedB);
  redactSpans(text, spans.data(), n, *out);
  for (int pass = 0; pass < 8; ++pass) {
    bool truncated = false;
    n = findPii(*out, detectors, spans, truncated);
    if (n == 0) return *out;
    spare->clear();
    redactSpans(*out, spans.data(), n, *spare);
    std::swap(out, spare);
  }
  return kRedacted;
}

}  // namespace

template <class Facts>
void Scrubber::scrubComponent(Rewriter& rw, const Facts& facts, size_t begin, size_t end,
                              bool plusIsSpace, DetectorSet active) const {
  // Most path segments and query parts are shorter than anything the URL's detectors need.
  if (active.empty() || begin >= end || end - begin < minPossibleLength(active)) return;
  const std::string_view raw = std::string_view(rw.source()).substr(begin, end - begin);
  const bool decode = facts.needsDecoding(begin, end, plusIsSpace);
  // The spans are per-thread scratch: a local array zero-fills 512 bytes (Span's member
  // initialisers) on every call, most of which find nothing; nothing here re-enters
  // scrubComponent.
  thread_local std::array<Span, kMaxSpans> spans;
  const std::string_view text = decode ? decodeForMatching(raw, plusIsSpace) : raw;
  bool truncated = false;
  size_t n = 0;
  if constexpr (Facts::kNarrowsComponents) {
    // An undecoded component is a substring of the URL: the masks leave the detectors
    // possibleDetectors would, without counting its characters again.
    n = decode ? findPii(text, active, spans, truncated)
               : findPiiOf(text, facts.possible(begin, end, active), spans, truncated);
  } else {
    n = findPii(text, active, spans, truncated);
  }
  if (n == 0) return;
  const std::string_view redacted = redactToFixpoint(text, detectors_, spans, n);
  if (!decode) {
    rw.replace(begin, end, redacted);
    return;
  }
  std::string& encoded = scratch(kEncoded);
  percentEncode(redacted, encoded);
  rw.replace(begin, end, encoded);
}

template <class Facts>
void Scrubber::scrubQuery(Rewriter& rw, const Facts& facts, size_t begin, size_t end,
                          DetectorSet active) const {
  const std::string_view src = rw.source();
  for (size_t p = begin; p <= end && p < src.size();) {
    const size_t pairEnd = facts.template next<UrlMark::PairEnd>(p, end);
    const size_t eq = facts.template next<UrlMark::Equals>(p, pairEnd);  // the first '='
    const bool hasValue = eq < pairEnd;
    if (hasValue && eq + 1 < pairEnd &&
        paramNameMatches(src.substr(p, eq - p), facts.needsDecoding(p, eq, true))) {
      rw.replace(eq + 1, pairEnd, kRedacted);
    } else {
      // Too short for the URL's detectors (all, with none left): not worth a call.
      const size_t min = minPossibleLength(active);
      if (eq - p >= min) scrubComponent(rw, facts, p, eq, true, active);
      if (hasValue && pairEnd - eq - 1 >= min) {
        scrubComponent(rw, facts, eq + 1, pairEnd, true, active);
      }
    }
    p = pairEnd + 1;
  }
}

template <class Facts>
bool Scrubber::scrubUrlWith(std::string& url, const Facts& facts) const {
  Rewriter rw(url);
  const size_t size = url.size();  // also "none" for the positions below
  const size_t first = facts.template next<UrlMark::HashOrQuestion>(0, size);
  size_t hash = size, queryMark = size;
  if (first < size && url[first] == '#') {
    hash = first;
    queryMark = facts.template next<UrlMark::Question>(first + 1, size);
  } else if (first < size) {
    queryMark = first;
    hash = facts.template next<UrlMark::Hash>(first + 1, size);
  }
  const bool hasQuery = queryMark < hash;
  const size_t pathEnd = hasQuery ? queryMark : hash;
  // Without escapes every component is a substring of `url`, so detectors that cannot match
  // the whole URL cannot match a component either; most URLs end up with none left.
  const DetectorSet active = facts.hasPercent() ? detectors_ : facts.possible(0, size, detectors_);
  if (active.empty() && (params_.empty() || queryMark == size)) return false;

  // With no detector left, path segments have nothing to scrub: only query names can match.
  const size_t min = minPossibleLength(active);
  for (size_t p = 0; !active.empty() && p < pathEnd;) {
    const size_t slash = facts.template next<UrlMark::Slash>(p, pathEnd);
    if (slash - p >= min) scrubComponent(rw, facts, p, slash, false, active);
    p = slash + 1;
  }
  if (hasQuery) scrubQuery(rw, facts, queryMark + 1, hash, active);
  if (hash < size) {
    // Fragments often carry client-side routes with their own query ("#/login?email=...").
    const size_t fragQuery = facts.template next<UrlMark::Question>(hash + 1, size);
    for (size_t p = hash + 1; !active.empty() && p < fragQuery;) {
      const size_t slash = facts.template next<UrlMark::Slash>(p, fragQuery);
      if (slash - p >= min) scrubComponent(rw, facts, p, slash, false, active);
      p = slash + 1;
    }
    if (fragQuery < size) scrubQuery(rw, facts, fragQuery + 1, size, active);
  }
  return rw.finish(url);
}

bool Scrubber::scrubUrl(std::string& url) const {
  // Shorter than any detector's text and than a query pair ("?a=b"), like the home page "/".
  if (url.size() < std::min<size_t>(4, minPossibleLength(detectors_))) return false;
  // Most URLs fit the masks; the answers are the same either way (tests/unit/filters/scrub).
  auto withMasks = [&](auto masks) {
    masks.build(url);
    return scrubUrlWith(url, masks);
  };
  if (url.size() <= MaskFacts<1>::kMaxSize) return withMasks(MaskFacts<1>());
  if (url.size() <= MaskFacts<2>::kMaxSize) return withMasks(MaskFacts<2>());
  if (url.size() <= MaskFacts<4>::kMaxSize) return withMasks(MaskFacts<4>());
  return scrubUrlByScans(url);
}

bool Scrubber::scrubUrlByScans(std::string& url) const {
  return scrubUrlWith(url, ScanFacts(url));
}

bool Scrubber::scrubPlain(std::string& text) const {
  std::array<Span, kMaxSpans> spans;
  bool truncated = false;
  const size_t n = findPii(text, detectors_, spans, truncated);
  if (n == 0) return false;
  text = redactToFixpoint(text, detectors_, spans, n);
  return true;
}

bool Scrubber::scrubText(std::string& text) const {
  if (detectors_.empty() && params_.empty()) return false;
  const bool urlLike = needsDecoding(text, false) || (!text.empty() && text[0] == '/') ||
                       text.find("://") != std::string::npos || text.find('?') != std::string::npos;
  if (urlLike) return scrubUrl(text);
  return !detectors_.empty() && scrubPlain(text);
}

size_t Scrubber::scrubEvent(events::Event& event) const {
  size_t changed = 0;
  if (event.path && scrubUrl(*event.path)) ++changed;
  if (event.referrer && scrubUrl(*event.referrer)) ++changed;
  if (event.props) {
    for (auto& [name, value] : *event.props) {
      if (auto* s = std::get_if<std::string>(&value); s != nullptr && scrubText(*s)) ++changed;
    }
  }
  return changed;
}

}  // namespace consentry::filters::scrub
