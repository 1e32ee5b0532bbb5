#include "filters/scrub/pii_detectors.h"

#include <algorithm>

#include "filters/scrub/char_class.h"

namespace consentry::filters::scrub {
namespace {

using Finder = bool (*)(std::string_view, size_t, Span&);

struct Entry {
  Detector detector;
  std::string_view name;
  Finder find;
};

constexpr Entry kDetectors[] = {
    {Detector::Email, "email", findEmail}, {Detector::Phone, "phone", findPhone},
    {Detector::Card, "card", findCard},    {Detector::Iban, "iban", findIban},
    {Detector::Jwt, "jwt", findJwt},       {Detector::Ip, "ip", findIpAddress},
};

// Matches per detector before giving up on a pathological input; the caller rescans.
constexpr size_t kMaxPerDetector = 64;

// Two letters then two digits somewhere: the country and check digits every IBAN starts with.
bool hasIbanHead(std::string_view t) {
  for (size_t i = 0; i + 4 <= t.size(); ++i) {
    if (isAlpha(t[i]) && isAlpha(t[i + 1]) && isDigit(t[i + 2]) && isDigit(t[i + 3])) return true;
  }
  return false;
}

}  // namespace

DetectorSet possibleDetectors(std::string_view text, DetectorSet set) {
  size_t digits = 0, letters = 0, dots = 0, colons = 0, ats = 0, pluses = 0;
  for (const char c : text) {
    digits += isDigit(c);
    letters += isAlpha(c);
    dots += c == '.';
    colons += c == ':';
    ats += c == '@';
    pluses += c == '+';
  }
  const size_t size = text.size();
  DetectorSet out;
  // Each test is a necessary condition of its scanner, never a sufficient one.
  if (set.has(Detector::Email) && ats > 0 && dots > 0) out.add(Detector::Email);
  if (set.has(Detector::Phone) && pluses > 0 && digits >= 8) out.add(Detector::Phone);
  if (set.has(Detector::Card) && digits >= 13) out.add(Detector::Card);
  if (set.has(Detector::Iban) && size >= 15 && digits >= 2 && letters >= 2 && hasIbanHead(text)) {
    out.add(Detector::Iban);
  }
  if (set.has(Detector::Jwt) && dots >= 2 && size >= 18) out.add(Detector::Jwt);
  if (set.has(Detector::Ip) && ((dots >= 3 && digits >= 4) || colons >= 2)) out.add(Detector::Ip);
  return out;
}

bool detectorFromName(std::string_view name, Detector& out) {
  for (const Entry& e : kDetectors) {
    if (e.name == name) {
      out = e.detector;
      return true;
    }
  }
  return false;
}

size_t findPii(std::string_view text, DetectorSet set, std::span<Span> out, bool& truncated) {
  truncated = false;
  if (out.empty()) return 0;
  set = possibleDetectors(text, set);
  if (set.empty()) return 0;
  size_t n = 0;
  for (const Entry& e : kDetectors) {
    if (!set.has(e.detector)) continue;
    size_t from = 0;
    size_t found = 0;
    Span m;
    while (from < text.size() && e.find(text, from, m)) {
      if (n == out.size() || found == kMaxPerDetector) {
        truncated = true;
        break;
      }
      out[n++] = m;
      ++found;
      from = m.end > from ? m.end : from + 1;
    }
  }
  if (n == 0) return 0;
  std::sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  size_t merged = 0;
  for (size_t i = 1; i < n; ++i) {
    if (out[i].begin <= out[merged].end) {
      out[merged].end = std::max(out[merged].end, out[i].end);
    } else {
      out[++merged] = out[i];
    }
  }
  return merged + 1;
}

}  // namespace consentry::filters::scrub
