// Email addresses and international phone numbers.
#include "filters/scrub/char_class.h"
#include "filters/scrub/pii_detectors.h"

namespace consentry::filters::scrub {
namespace {

// The practical local-part alphabet: what real addresses use, without the URL delimiters that
// RFC 5322 would also allow (they would swallow a preceding "key=" into the match).
bool isLocalChar(char c) {
  return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool isLabelChar(char c) {
  return isAlnum(c) || c == '-';
}

// End of the domain that starts at `i`, or `i` when there is no valid domain: labels separated
// by single dots, at least two labels, a final label of 2+ letters.
size_t domainEnd(std::string_view t, size_t i) {
  size_t end = i;
  size_t labels = 0;
  size_t lastLabelStart = i;
  size_t p = i;
  while (p < t.size()) {
    const size_t start = p;
    while (p < t.size() && isLabelChar(t[p])) ++p;
    if (p == start || t[start] == '-' || t[p - 1] == '-' || p - start > 63) break;
    ++labels;
    lastLabelStart = start;
    end = p;
    if (p + 1 < t.size() && t[p] == '.' && isLabelChar(t[p + 1])) {
      ++p;
      continue;
    }
    break;
  }
  if (labels < 2) return i;
  // The TLD must be letters: "a@b.c1" is not an address, "x@host.example.com" is.
  if (end - lastLabelStart < 2) return i;
  for (size_t k = lastLabelStart; k < end; ++k) {
    if (!isAlpha(t[k])) return i;
  }
  return end;
}

// YYYYMMDD at t[p..p+8): dates and timestamps are the usual long digit runs after a '+'.
bool looksLikeDate(std::string_view digits) {
  if (digits.size() < 8) return false;
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t k = at; k < at + n; ++k) v = v * 10 + (digits[k] - '0');
    return v;
  };
  const int year = num(0, 4), month = num(4, 2), day = num(6, 2);
  return year >= 1900 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

bool isPhoneSeparator(char c) {
  return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')';
}

}  // namespace

bool findEmail(std::string_view t, size_t from, Span& match) {
  for (size_t at = t.find('@', from); at != std::string_view::npos; at = t.find('@', at + 1)) {
    size_t begin = at;
    while (begin > from && isLocalChar(t[begin - 1])) --begin;
    while (begin < at && (t[begin] == '.' || t[begin] == '%' || t[begin] == '+')) ++begin;
    if (begin == at || t[at - 1] == '.') continue;
    const size_t end = domainEnd(t, at + 1);
    if (end == at + 1) continue;
    match = {begin, end};
    return true;
  }
  return false;
}

// E.164 and written international numbers: '+', a country code digit 1-9, then 8-15 digits in
// total with single separators (space, '-', '.', parentheses). The '+' is required: national
// formats are indistinguishable from order ids, and dates/timestamps/versions never carry one
// unless they are glued to a preceding digit ("12:00+0100"), which is rejected.
bool findPhone(std::string_view t, size_t from, Span& match) {
  for (size_t plus = t.find('+', from); plus != std::string_view::npos;
       plus = t.find('+', plus + 1)) {
    if (plus > 0 && (isAlnum(t[plus - 1]) || t[plus - 1] == '+')) continue;
    size_t p = plus + 1;
    if (p < t.size() && t[p] == '(') ++p;
    if (p >= t.size() || t[p] < '1' || t[p] > '9') continue;

    char digits[16];
    size_t count = 0;
    size_t groups = 0, groupLen = 0;
    int groupLens[16] = {};
    bool onlyDateSeparators = true;
    bool anySeparator = false;
    size_t end = p;
    bool tooLong = false;
    while (p < t.size()) {
      const char c = t[p];
      if (isDigit(c)) {
        if (count == 15) {
          tooLong = true;
          break;
        }
        digits[count++] = c;
        ++groupLen;
        end = ++p;
        continue;
      }
      if (!isPhoneSeparator(c)) break;
      // One separator between digit groups; "(" may follow a space, ")" may precede one.
      size_t q = p + 1;
      if (q < t.size() && isPhoneSeparator(t[q]) &&
          ((c == ')' && t[q] == ' ') || (c == ' ' && t[q] == '('))) {
        ++q;
      }
      if (q >= t.size() || !isDigit(t[q])) break;
      anySeparator = true;
      if (c != '-' && c != '.') onlyDateSeparators = false;
      if (groups < 16) groupLens[groups] = static_cast<int>(groupLen);
      ++groups;
      groupLen = 0;
      p = q;
    }
    if (tooLong || count < 8) continue;
    if (end < t.size() && (isAlnum(t[end]) || t[end] == '+')) continue;
    if (groups < 16) groupLens[groups] = static_cast<int>(groupLen);
    ++groups;
    const std::string_view ds(digits, count);
    if (!anySeparator && (count == 8 || count == 14) && looksLikeDate(ds)) continue;
    if (anySeparator && onlyDateSeparators && groups == 3 && groupLens[0] == 4 &&
        groupLens[1] == 2 && groupLens[2] == 2) {
      continue;  // +2026-11-29
    }
    match = {plus, end};
    return true;
  }
  return false;
}

}  // namespace consentry::filters::scrub
