#include "filters/scrub/scrubber.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "base/byte_scan.h"
#include "filters/scrub/char_class.h"
#include "filters/scrub/percent.h"

namespace consentry::filters::scrub {
namespace {

constexpr size_t kMaxSpans = 32;

// How the query scan treats each byte (0: part of a name or value).
constexpr uint8_t kEndsPair = 1, kEquals = 2;
constexpr std::array<uint8_t, 256> kQueryClass = [] {
  std::array<uint8_t, 256> t{};
  t['&'] = t[';'] = kEndsPair;
  t['='] = kEquals;
  return t;
}();

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

}  // namespace

// Builds the scrubbed copy lazily in per-thread scratch (replacements arrive left to right), then
// copies it over the source, whose buffer usually has room already.
class Scrubber::Rewriter {
 public:
  explicit Rewriter(const std::string& source) : src_(source), out_(scratch(kRewritten)) {}
  const std::string& source() const { return src_; }
  void replace(size_t begin, size_t end, std::string_view with) {
    active_ = true;
    out_.append(src_, copied_, begin - copied_);
    out_.append(with);
    copied_ = end;
  }
  bool finish(std::string& target) {
    if (!active_) return false;
    out_.append(src_, copied_, std::string::npos);
    target.assign(out_);
    return true;
  }

 private:
  const std::string& src_;
  std::string& out_;
  size_t copied_ = 0;
  bool active_ = false;
};

Scrubber::Scrubber(const config::Privacy& privacy)
    : Scrubber(privacy.scrubQueryParams, detectorsFromNames(privacy.detectors)) {}

Scrubber::Scrubber(const std::vector<std::string>& queryParams, DetectorSet detectors)
    : detectors_(detectors) {
  params_.reserve(queryParams.size());
  for (std::string p : queryParams) {
    for (char& c : p) c = toLower(c);
    paramLengths_ |= uint64_t{1} << std::min<size_t>(p.size(), 63);
    params_.push_back(std::move(p));
  }
}

bool Scrubber::isScrubbedParam(std::string_view name) const {
  if (name.size() > 2 && name.substr(name.size() - 2) == "[]") name.remove_suffix(2);
  if (!name.empty() && name.back() == ']') {
    const size_t open = name.rfind('[');
    if (open != std::string_view::npos) name = name.substr(open + 1, name.size() - open - 2);
  }
  if ((paramLengths_ & (uint64_t{1} << std::min<size_t>(name.size(), 63))) == 0) return false;
  for (const std::string& p : params_) {
    if (equalsNoCase(name, p)) return true;
  }
  return false;
}

bool Scrubber::paramNameMatches(std::string_view rawName) const {
  if (params_.empty() || rawName.empty()) return false;
  if (!needsDecoding(rawName, true)) return isScrubbedParam(rawName);
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

void Scrubber::scrubComponent(Rewriter& rw, size_t begin, size_t end, bool plusIsSpace,
                              DetectorSet active) const {
  // Most path segments and query parts are shorter than anything the URL's detectors need.
  if (active.empty() || begin >= end || end - begin < minPossibleLength(active)) return;
  const std::string_view raw = std::string_view(rw.source()).substr(begin, end - begin);
  const bool decode = needsDecoding(raw, plusIsSpace);
  const std::string_view text = decode ? decodeForMatching(raw, plusIsSpace) : raw;
  // findPii narrows `active` by possibleDetectors itself (and returns 0 when none is left):
  // narrowing here first counted the component's characters twice. The spans are per-thread
  // scratch: a local array zero-fills 512 bytes (Span's member initialisers) on every call, most
  // of which find nothing; nothing here re-enters scrubComponent.
  thread_local std::array<Span, kMaxSpans> spans;
  bool truncated = false;
  const size_t n = findPii(text, active, spans, truncated);
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

void Scrubber::scrubQuery(Rewriter& rw, size_t begin, size_t end, DetectorSet active) const {
  const std::string_view src = rw.source();
  size_t p = begin;
  while (p <= end && p < src.size()) {
    // One table lookup per byte, bounded by the query (find_first_of called memchr once per
    // byte here; three compares per byte cost more than the lookup).
    size_t pairEnd = p;
    size_t eq = std::string_view::npos;
    const size_t stop = std::min(end, src.size());
    for (; pairEnd < stop; ++pairEnd) {
      const uint8_t cls = kQueryClass[static_cast<uint8_t>(src[pairEnd])];
      if (cls == 0) continue;
      if (cls == kEndsPair) break;
      if (eq == std::string_view::npos) eq = pairEnd;  // the first '='
    }
    const bool hasValue = eq != std::string_view::npos;
    const size_t nameEnd = hasValue ? eq : pairEnd;
    if (hasValue && eq + 1 < pairEnd && paramNameMatches(src.substr(p, nameEnd - p))) {
      rw.replace(eq + 1, pairEnd, kRedacted);
    } else {
      scrubComponent(rw, p, nameEnd, true, active);
      if (hasValue) scrubComponent(rw, eq + 1, pairEnd, true, active);
    }
    p = pairEnd + 1;
  }
}

bool Scrubber::scrubUrl(std::string& url) const {
  Rewriter rw(url);
  // Inline scans instead of a memchr call per marker (three per URL showed in profiles).
  auto find = [&url](size_t from, char a, char b) {
    const size_t at = findEitherByte(url, from, a, b);
    return at == url.size() ? std::string::npos : at;
  };
  const size_t first = find(0, '#', '?');
  size_t hash = std::string::npos, queryMark = std::string::npos;
  if (first != std::string::npos && url[first] == '#') {
    hash = first;
    queryMark = find(first + 1, '?', '?');
  } else if (first != std::string::npos) {
    queryMark = first;
    hash = find(first + 1, '#', '#');
  }
  const size_t fragmentStart = hash == std::string::npos ? url.size() : hash;
  const bool hasQuery = queryMark != std::string::npos && queryMark < fragmentStart;
  const size_t pathEnd = hasQuery ? queryMark : fragmentStart;
  // Without escapes every component is a substring of `url`, so detectors that cannot match
  // the whole URL cannot match a component either; most URLs end up with none left.
  const DetectorSet active =
      find(0, '%', '%') == std::string::npos ? possibleDetectors(url, detectors_) : detectors_;
  if (active.empty() && (params_.empty() || queryMark == std::string::npos)) return false;

  // With no detector left, path segments have nothing to scrub: only query names can match.
  // Segment ends by the inline scan (pathEnd when there is no further '/'), not a memchr call
  // per segment.
  const std::string_view path = std::string_view(url).substr(0, pathEnd);
  for (size_t p = 0; !active.empty() && p < pathEnd;) {
    const size_t slash = findEitherByte(path, p, '/', '/');
    scrubComponent(rw, p, slash, false, active);
    p = slash + 1;
  }
  if (hasQuery) scrubQuery(rw, queryMark + 1, fragmentStart, active);
  if (hash != std::string::npos) {
    // Fragments often carry client-side routes with their own query ("#/login?email=...").
    const size_t fragQuery = url.find('?', hash + 1);
    const size_t fragPathEnd = fragQuery == std::string::npos ? url.size() : fragQuery;
    for (size_t p = hash + 1; !active.empty() && p < fragPathEnd;) {
      size_t slash = url.find('/', p);
      if (slash == std::string::npos || slash > fragPathEnd) slash = fragPathEnd;
      scrubComponent(rw, p, slash, false, active);
      p = slash + 1;
    }
    if (fragQuery != std::string::npos) scrubQuery(rw, fragQuery + 1, url.size(), active);
  }
  return rw.finish(url);
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
