// Payment card numbers (Luhn) and IBANs (ISO 13616 mod-97).
#include <string_view>

#include "filters/scrub/char_class.h"
#include "filters/scrub/pii_detectors.h"

namespace consentry::filters::scrub {
namespace {

struct IbanLength {
  char country[3];
  uint8_t length;
};

// SWIFT IBAN registry: total length per country.
constexpr IbanLength kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22},
    {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24},
    {"DE", 22}, {"DJ", 27}, {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27},
    {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27},
    {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20},
    {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19}, {"MN", 20}, {"MR", 27},
    {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28},
    {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

int ibanLength(char a, char b) {
  for (const auto& e : kIbanLengths) {
    if (e.country[0] == a && e.country[1] == b) return e.length;
  }
  return 0;
}

bool isCardSeparator(char c) {
  return c == ' ' || c == '-';
}

// Card networks start with 2 (Mastercard 2-series, Mir), 3 (Amex, Diners, JCB), 4 (Visa),
// 5 (Mastercard, Maestro) or 6 (Discover, UnionPay, Maestro, RuPay). Requiring one of them
// halves the false positives Luhn alone lets through, e.g. millisecond timestamps (1...).
bool plausibleIssuer(char first) {
  return first >= '2' && first <= '6';
}

bool allSame(std::string_view digits) {
  for (char c : digits) {
    if (c != digits[0]) return false;
  }
  return true;
}

}  // namespace

bool luhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (d < 0 || d > 9) return false;
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool ibanValid(std::string_view iban) {
  if (iban.size() < 15 || iban.size() > 34) return false;
  if (ibanLength(iban[0], iban[1]) != static_cast<int>(iban.size())) return false;
  if (!isDigit(iban[2]) || !isDigit(iban[3])) return false;
  // Rearranged (BBAN first, then country and check digits), letters as 10..35, mod 97 == 1.
  int rem = 0;
  for (size_t k = 0; k < iban.size(); ++k) {
    const char c = iban[(k + 4) % iban.size()];
    if (isDigit(c)) {
      rem = (rem * 10 + (c - '0')) % 97;
    } else if (isUpper(c)) {
      rem = (rem * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return rem == 1;
}

// 13-19 digits, optionally in groups separated by a single consistent ' ' or '-', Luhn-valid,
// with a plausible issuer digit, not glued to other digits, letters or decimal points.
bool findCard(std::string_view t, size_t from, Span& match) {
  size_t i = from;
  while (i < t.size()) {
    if (!isDigit(t[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    const bool boundaryBefore =
        start == 0 || !(isAlnum(t[start - 1]) || t[start - 1] == '.' || t[start - 1] == ',');
    char digits[20];
    size_t count = 0;
    size_t groupEnds[20];    // position after each group, in the text
    size_t groupDigits[20];  // digits so far at each group end
    size_t groups = 0;
    char sep = 0;
    size_t p = i;
    bool overflow = false;
    while (p < t.size()) {
      while (p < t.size() && isDigit(t[p])) {
        if (count == 19) {
          overflow = true;
          break;
        }
        digits[count++] = t[p++];
      }
      if (overflow) break;
      groupEnds[groups] = p;
      groupDigits[groups] = count;
      ++groups;
      if (p + 1 < t.size() && isCardSeparator(t[p]) && isDigit(t[p + 1]) &&
          (sep == 0 || sep == t[p]) && groups < 20) {
        sep = t[p];
        ++p;
        continue;
      }
      break;
    }
    // Skip the rest of this digit run so a long id is not matched from its middle.
    size_t runEnd = p;
    while (runEnd < t.size() &&
           (isDigit(t[runEnd]) ||
            (isCardSeparator(t[runEnd]) && runEnd + 1 < t.size() && isDigit(t[runEnd + 1])))) {
      ++runEnd;
    }
    if (boundaryBefore && !overflow) {
      // Longest group-aligned prefix that is a valid card number.
      for (size_t g = groups; g-- > 0;) {
        const size_t n = groupDigits[g];
        if (n < 13) break;
        if (n > 19) continue;
        const size_t end = groupEnds[g];
        const bool boundaryAfter =
            end == t.size() ||
            !(isAlnum(t[end]) || (t[end] == '.' && end + 1 < t.size() && isDigit(t[end + 1])));
        if (!boundaryAfter) continue;
        const std::string_view ds(digits, n);
        if (plausibleIssuer(ds[0]) && !allSame(ds) && luhnValid(ds)) {
          match = {start, end};
          return true;
        }
      }
    }
    i = runEnd > start ? runEnd : start + 1;
  }
  return false;
}

// Two letters (the country), two check digits, then the BBAN to the country's registry length,
// compact or in the printed groups of four separated by single spaces. Lower case is accepted
// (URLs and forms lower-case things); the checksum decides.
bool findIban(std::string_view t, size_t from, Span& match) {
  for (size_t i = from; i + 15 <= t.size(); ++i) {
    if (!isAlpha(t[i]) || !isAlpha(t[i + 1]) || !isDigit(t[i + 2]) || !isDigit(t[i + 3])) continue;
    if (i > 0 && isAlnum(t[i - 1])) continue;
    const int length = ibanLength(toUpper(t[i]), toUpper(t[i + 1]));
    if (length == 0) continue;
    char compact[34];
    int n = 0;
    size_t p = i;
    while (p < t.size() && n < length) {
      const char c = t[p];
      if (isAlnum(c)) {
        compact[n++] = toUpper(c);
        ++p;
      } else if (c == ' ' && n % 4 == 0 && n > 0 && p + 1 < t.size() && isAlnum(t[p + 1])) {
        ++p;
      } else {
        break;
      }
    }
    if (n != length) continue;
    if (p < t.size() && isAlnum(t[p])) continue;
    if (!ibanValid(std::string_view(compact, static_cast<size_t>(n)))) continue;
    match = {i, p};
    return true;
  }
  return false;
}

}  // namespace consentry::filters::scrub
