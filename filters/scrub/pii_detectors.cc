#include "filters/scrub/pii_detectors.h"

#include <emmintrin.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "filters/scrub/char_class.h"
#include "filters/scrub/char_lanes.h"

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

// possibleDetectors counts six character classes 16 bytes at a time (SSE2, part of the x86-64
// baseline): a byte-wise compare per class, whose all-ones lanes are subtracted from per-class
// byte counters, summed every 255 blocks before a lane can wrap. The per-byte table lookup it
// replaced was 5 % of the varied event path (it runs over every path and referrer). The same
// pass keeps the digit and letter lanes as bit masks, from which the IBAN head (two letters, two
// digits) is a few shifted ANDs per 64 bytes: a byte loop looking for it mispredicted on the
// digits of dates and ids in paths and took a quarter of possibleDetectors.
struct ClassCounts {
  size_t digits = 0, dots = 0, colons = 0, ats = 0, pluses = 0;
  bool ibanHead = false;
};

// Bit i of each: lane i of one block is a digit / a letter.
struct LaneMasks {
  uint32_t digits, letters;
};

struct ClassAccumulators {
  __m128i digits = _mm_setzero_si128(), dots = _mm_setzero_si128(), colons = _mm_setzero_si128(),
          ats = _mm_setzero_si128(), pluses = _mm_setzero_si128();

  LaneMasks add(__m128i v) {
    const __m128i digit = digitLanes(v);
    const __m128i letter = letterLanes(v);
    digits = _mm_sub_epi8(digits, digit);
    dots = _mm_sub_epi8(dots, _mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    colons = _mm_sub_epi8(colons, _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
    ats = _mm_sub_epi8(ats, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
    pluses = _mm_sub_epi8(pluses, _mm_cmpeq_epi8(v, _mm_set1_epi8('+')));
    return {static_cast<uint32_t>(_mm_movemask_epi8(digit)),
            static_cast<uint32_t>(_mm_movemask_epi8(letter))};
  }

  static size_t sum(__m128i counts) {
    const __m128i halves = _mm_sad_epu8(counts, _mm_setzero_si128());
    return static_cast<size_t>(_mm_cvtsi128_si64(halves)) +
           static_cast<size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(halves, halves)));
  }

  void drainInto(ClassCounts& c) {
    c.digits += sum(digits);
    c.dots += sum(dots);
    c.colons += sum(colons);
    c.ats += sum(ats);
    c.pluses += sum(pluses);
    *this = ClassAccumulators{};
  }
};

// Texts shorter than a block: one table lookup and one add per byte, each class owning a 10-bit
// field of a 64-bit counter (copying a short tail into a zeroed block instead stalled on the
// store-to-load forward and cost more than the bytes).
constexpr int kDigitField = 0, kDotField = 1, kColonField = 2, kAtField = 3, kPlusField = 4;

constexpr std::array<uint64_t, 256> makeCountIncrements() {
  std::array<uint64_t, 256> table{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    int field = -1;
    if (isDigit(ch)) field = kDigitField;
    if (ch == '.') field = kDotField;
    if (ch == ':') field = kColonField;
    if (ch == '@') field = kAtField;
    if (ch == '+') field = kPlusField;
    if (field >= 0) table[static_cast<size_t>(c)] = uint64_t{1} << (10 * field);
  }
  return table;
}
constexpr std::array<uint64_t, 256> kCountIncrement = makeCountIncrements();

// Two letters then two digits somewhere: the country and check digits every IBAN starts with.
bool hasIbanHead(std::string_view t) {
  for (size_t i = 2; i + 1 < t.size(); ++i) {
    if (!isDigit(t[i])) continue;
    if (isDigit(t[i + 1]) && isAlpha(t[i - 1]) && isAlpha(t[i - 2])) return true;
  }
  return false;
}

ClassCounts countShort(std::string_view text) {
  uint64_t packed = 0;
  for (char c : text) packed += kCountIncrement[static_cast<unsigned char>(c)];
  auto field = [&](int f) { return static_cast<size_t>((packed >> (10 * f)) & 1023); };
  // An IBAN needs 15 bytes: of the short texts, only those of exactly 15 are searched.
  return {field(kDigitField), field(kDotField),  field(kColonField),
          field(kAtField),    field(kPlusField), text.size() == 15 && hasIbanHead(text)};
}

// 16 zero bytes then 16 ones: the 16 bytes at offset k keep only the last k lanes of a block.
constexpr std::array<unsigned char, 32> kKeepLast = {
    0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255};

// Gathers the digit and letter lanes of consecutive blocks into 64-bit words, and tests each word
// for the head once the first bits of the word after it are known (a head may straddle them).
class IbanHeadFinder {
 public:
  // The next `lanes` positions of the text: bits 0 to lanes-1 of `m`. Only the text's last block
  // has fewer than 16, so a word fills up exactly at 64.
  void add(LaneMasks m, unsigned lanes) {
    digits_ |= uint64_t{m.digits} << filled_;
    letters_ |= uint64_t{m.letters} << filled_;
    filled_ += lanes;
    if (filled_ < 64) return;
    if (havePrev_) found_ = found_ || headIn(prevLetters_, prevDigits_, letters_, digits_);
    prevLetters_ = letters_;
    prevDigits_ = digits_;
    havePrev_ = true;
    letters_ = digits_ = 0;
    filled_ = 0;
  }

  bool finish() const {
    return found_ || (havePrev_ && headIn(prevLetters_, prevDigits_, letters_, digits_)) ||
           headIn(letters_, digits_, 0, 0);
  }

 private:
  // Some bit j with letters at j and j+1 and digits at j+2 and j+3; bits past 63 come from the
  // next word's masks.
  static bool headIn(uint64_t letters, uint64_t digits, uint64_t nextLetters, uint64_t nextDigits) {
    const uint64_t letter1 = (letters >> 1) | (nextLetters << 63);
    const uint64_t digit2 = (digits >> 2) | (nextDigits << 62);
    const uint64_t digit3 = (digits >> 3) | (nextDigits << 61);
    return (letters & letter1 & digit2 & digit3) != 0;
  }

  uint64_t digits_ = 0, letters_ = 0, prevDigits_ = 0, prevLetters_ = 0;
  unsigned filled_ = 0;
  bool havePrev_ = false, found_ = false;
};

ClassCounts countClasses(std::string_view text) {
  if (text.size() < 16) return countShort(text);
  ClassCounts counts;
  ClassAccumulators acc;
  IbanHeadFinder head;
  const char* p = text.data();
  size_t left = text.size();
  constexpr size_t kMaxBlocks = 255;  // a byte lane holds at most 255
  size_t pending = 0;                 // blocks added since the last drain
  for (; left >= 16; p += 16, left -= 16, ++pending) {
    if (pending == kMaxBlocks) {
      acc.drainInto(counts);
      pending = 0;
    }
    __m128i v;
    std::memcpy(&v, p, sizeof v);
    head.add(acc.add(v), 16);
  }
  if (left > 0) {
    if (pending == kMaxBlocks) acc.drainInto(counts);
    // The last 16 bytes of the text, with the lanes counted already zeroed (zero is in no class);
    // the masks drop those lanes so that bit 0 is the first new position.
    __m128i v, keep;
    std::memcpy(&v, p + left - 16, sizeof v);
    std::memcpy(&keep, kKeepLast.data() + left, sizeof keep);
    LaneMasks m = acc.add(_mm_and_si128(v, keep));
    const auto counted = static_cast<unsigned>(16 - left);
    head.add({m.digits >> counted, m.letters >> counted}, static_cast<unsigned>(left));
  }
  acc.drainInto(counts);
  counts.ibanHead = head.finish();
  return counts;
}

// findJwt's first test, for texts with the two dots and the size a JWT needs: some dot right
// after 16 base64url characters. With only "two dots" to go on, every referrer with a host name
// like www.example.com sent each of its components through the JWT scanner.
bool hasJwtHeaderShape(std::string_view t) {
  for (size_t i = t.find('.', 16); i != std::string_view::npos; i = t.find('.', i + 1)) {
    if (base64urlBlock(t.data() + i - 16)) return true;
  }
  return false;
}

}  // namespace

DetectorSet possibleDetectors(std::string_view text, DetectorSet set) {
  const ClassCounts c = countClasses(text);
  TextClasses t;
  t.size = text.size();
  t.digits = c.digits;
  t.dots = c.dots;
  t.colons = c.colons;
  t.ats = c.ats;
  t.pluses = c.pluses;
  t.ibanHead = c.ibanHead;
  // The shape search only where the counts leave a JWT possible.
  t.jwtHeader = set.has(Detector::Jwt) && t.dots >= 2 && t.size >= 18 && hasJwtHeaderShape(text);
  return detectorsFor(t, set);
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
  return findPiiOf(text, possibleDetectors(text, set), out, truncated);
}

size_t findPiiOf(std::string_view text, DetectorSet set, std::span<Span> out, bool& truncated) {
  truncated = false;
  if (out.empty() || set.empty()) return 0;
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
