#include "filters/scrub/pii_detectors.h"

#include <algorithm>
#include <array>

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

// possibleDetectors counts six character classes with one table lookup and one add per byte:
// each class owns a 10-bit field of a 64-bit counter, emptied every 1023 bytes.
constexpr int kDigitField = 0, kLetterField = 1, kDotField = 2, kColonField = 3, kAtField = 4,
              kPlusField = 5;
constexpr size_t kFieldMax = 1023;

constexpr std::array<uint64_t, 256> makeCountIncrements() {
  std::array<uint64_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    int field = -1;
    if (isDigit(ch)) field = kDigitField;
    if (isAlpha(ch)) field = kLetterField;
    if (ch == '.') field = kDotField;
    if (ch == ':') field = kColonField;
    if (ch == '@') field = kAtField;
    if (ch == '+') field = kPlusField;
    if (field >= 0) table[static_cast<size_t>(c)] = uint64_t{1} << (10 * field);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kCountIncrement = makeCountIncrements();

constexpr size_t countField(uint64_t packed, int field) {
  return static_cast<size_t>((packed >> (10 * field)) & kFieldMax);
}

// Two letters then two digits somewhere: the country and check digits every IBAN starts with.
bool hasIbanHead(std::string_view t) {
  for (size_t i = 0; i + 4 <= t.size(); ++i) {
    if (isAlpha(t[i]) && isAlpha(t[i + 1]) && isDigit(t[i + 2]) && isDigit(t[i + 3])) return true;
  }
  return false;
}

}  // namespace

DetectorSet possibleDetectors(std::string_view text, DetectorSet set) {
  uint64_t packed = 0;
  size_t digits = 0, letters = 0, dots = 0, colons = 0, ats = 0, pluses = 0;
  auto unpack = [&] {
    digits += countField(packed, kDigitField);
    letters += countField(packed, kLetterField);
    dots += countField(packed, kDotField);
    colons += countField(packed, kColonField);
    ats += countField(packed, kAtField);
    pluses += countField(packed, kPlusField);
    packed = 0;
  };
  // Chunks of at most kFieldMax bytes, so no 10-bit field can overflow into its neighbour.
  for (size_t chunk = 0; chunk < text.size(); chunk += kFieldMax) {
    const size_t end = std::min(text.size(), chunk + kFieldMax);
    for (size_t i = chunk; i < end; ++i) {
      packed += kCountIncrement[static_cast<unsigned char>(text[i])];
    }
    unpack();
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
