#include "filters/telemetry/regex_prefilter.h"

#include <algorithm>
#include <cctype>

namespace consentry::filters::telemetry {

namespace {

constexpr size_t kMaxAlternatives = 256;

char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool isAlnum(char c) {
  char l = lowerAscii(c);
  return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
}

// Index just past the character class starting at p[i] == '['.
size_t skipClass(std::string_view p, size_t i) {
  ++i;
  if (i < p.size() && p[i] == '^') ++i;
  if (i < p.size() && p[i] == ']') ++i;  // a leading ']' is literal
  while (i < p.size() && p[i] != ']') i += (p[i] == '\\') ? 2 : 1;
  return std::min(i + 1, p.size());
}

// Index just past the group starting at p[i] == '('.
size_t skipGroup(std::string_view p, size_t i) {
  int depth = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      i += 2;
      continue;
    }
    if (c == '[') {
      i = skipClass(p, i);
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')' && --depth == 0) return i + 1;
    ++i;
  }
  return p.size();
}

std::vector<std::string_view> splitAlternatives(std::string_view p) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\\') {
      i += 2;
    } else if (c == '[') {
      i = skipClass(p, i);
    } else if (c == '(') {
      i = skipGroup(p, i);
    } else if (c == '|') {
      out.push_back(p.substr(start, i - start));
      start = ++i;
    } else {
      ++i;
    }
  }
  out.push_back(p.substr(start));
  return out;
}

// Parses a {n}, {n,} or {n,m} quantifier at p[i]; returns its minimum or -1 if it is not one.
int quantifierMin(std::string_view p, size_t i, size_t& end) {
  size_t j = i + 1;
  int min = 0;
  bool digits = false;
  while (j < p.size() && p[j] >= '0' && p[j] <= '9') {
    min = std::min(min * 10 + (p[j] - '0'), 1000);
    digits = true;
    ++j;
  }
  if (!digits) return -1;
  if (j < p.size() && p[j] == ',') {
    ++j;
    while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
  }
  if (j >= p.size() || p[j] != '}') return -1;
  end = j + 1;
  return min;
}

// "[Ss]" stands for one letter in either case, which the lower-cased check sees as one literal.
bool caseClassLetter(std::string_view cls, char& letter) {
  if (cls.size() != 4 || cls[0] != '[' || cls[3] != ']') return false;
  if (lowerAscii(cls[1]) != lowerAscii(cls[2]) || cls[1] == cls[2] || !isAlnum(cls[1])) {
    return false;
  }
  letter = lowerAscii(cls[1]);
  return true;
}

// Higher is more selective. Literals found in nearly every browser UA are nearly useless.
int score(const LiteralClause& clause) {
  static constexpr std::string_view kCommon[] = {"mozilla", "applewebkit", "khtml", "gecko",
                                                 "safari",  "like",        "linux", "mobile"};
  size_t minLen = 1000;
  for (const auto& lit : clause) {
    size_t len = lit.size();
    for (auto common : kCommon) {
      if (common.find(lit) != std::string_view::npos || lit.find(common) != std::string::npos) {
        len = 1;
      }
    }
    minLen = std::min(minLen, len);
  }
  int s = static_cast<int>(std::min<size_t>(minLen, 12)) * 4;
  if (clause.size() > 8) --s;  // many alternatives cost many checks
  return s;
}

bool usable(const LiteralClause& clause) {
  if (clause.empty() || clause.size() > kMaxAlternatives) return false;
  for (const auto& lit : clause) {
    if (lit.size() < 2) return false;
  }
  return true;
}

void collect(std::string_view p, std::vector<LiteralClause>& out);

// A mandatory group or the whole pattern: with alternatives, each must contribute a clause and
// the result is their union; without, all of its clauses hold.
void collectAlternation(std::string_view p, std::vector<LiteralClause>& out) {
  auto branches = splitAlternatives(p);
  if (branches.size() == 1) {
    collect(p, out);
    return;
  }
  LiteralClause merged;
  for (auto branch : branches) {
    std::vector<LiteralClause> clauses;
    collectAlternation(branch, clauses);
    const LiteralClause* best = nullptr;
    for (const auto& c : clauses) {
      if (usable(c) && (!best || score(c) > score(*best))) best = &c;
    }
    if (!best) return;  // this branch can match without any literal we know of
    merged.insert(merged.end(), best->begin(), best->end());
    if (merged.size() > kMaxAlternatives) return;
  }
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  out.push_back(std::move(merged));
}

// One alternative (no top-level '|'): literal runs and mandatory groups, in sequence.
void collect(std::string_view p, std::vector<LiteralClause>& out) {
  std::string run;
  bool lastWasLiteral = false;
  auto flush = [&] {
    if (!run.empty()) out.push_back({run});
    run.clear();
    lastWasLiteral = false;
  };
  auto literal = [&](char c) {
    run.push_back(lowerAscii(c));
    lastWasLiteral = true;
  };
  auto skipModifier = [&](size_t& i) {
    if (i < p.size() && (p[i] == '?' || p[i] == '+')) ++i;
  };
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      i += 2;
      if (!isAlnum(n)) {
        literal(n);
        continue;
      }
      flush();  // \d \w \b \x.. and friends
      if (n == 'x' && i < p.size() && p[i] == '{') {
        while (i < p.size() && p[i] != '}') ++i;
        i = std::min(i + 1, p.size());
      } else if (n == 'x') {
        for (int k = 0; k < 2 && i < p.size() && std::isxdigit(static_cast<unsigned char>(p[i]));
             ++k) {
          ++i;
        }
      }
    } else if (c == '[') {
      size_t end = skipClass(p, i);
      char letter;
      if (caseClassLetter(p.substr(i, end - i), letter)) {
        literal(letter);
      } else {
        flush();
      }
      i = end;
    } else if (c == '(') {
      size_t end = skipGroup(p, i);
      std::string_view inner = end >= i + 2 ? p.substr(i + 1, end - i - 2) : std::string_view();
      flush();
      bool optional = end < p.size() && (p[end] == '?' || p[end] == '*' ||
                                         (p[end] == '{' && p.substr(end, 2) == "{0"));
      if (!inner.empty() && inner[0] == '?') {
        // (?:...) is an ordinary group; lookarounds and inline flags require nothing.
        inner = (inner.size() >= 2 && inner[1] == ':') ? inner.substr(2) : std::string_view();
      }
      if (!optional && !inner.empty()) collectAlternation(inner, out);
      i = end;
    } else if (c == '?' || c == '*') {
      if (lastWasLiteral) run.pop_back();
      flush();
      ++i;
      skipModifier(i);
    } else if (c == '+') {
      flush();
      ++i;
      skipModifier(i);
    } else if (c == '{') {
      size_t end = 0;
      int min = quantifierMin(p, i, end);
      if (min < 0) {
        literal('{');
        ++i;
        continue;
      }
      if (min == 0 && lastWasLiteral) run.pop_back();
      flush();
      i = end;
      skipModifier(i);
    } else if (c == '.' || c == '^' || c == '$' || c == ')' || c == '|') {
      flush();
      ++i;
    } else {
      literal(c);
      ++i;
    }
  }
  flush();
}

}  // namespace

std::vector<LiteralClause> requiredLiterals(std::string_view pattern, size_t maxClauses) {
  std::vector<LiteralClause> all;
  collectAlternation(pattern, all);
  std::vector<LiteralClause> out;
  for (auto& c : all) {
    if (usable(c)) out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return score(a) > score(b); });
  if (out.size() > maxClauses) out.resize(maxClauses);
  return out;
}

}  // namespace consentry::filters::telemetry
