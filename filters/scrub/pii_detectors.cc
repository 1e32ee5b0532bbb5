#include "filters/scrub/pii_detectors.h"

#include <algorithm>

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

}  // namespace

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
