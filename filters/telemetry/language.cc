#include "filters/telemetry/language.h"

namespace consentry::filters::telemetry {

namespace {

bool isAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 9110 qvalue in thousandths: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]; -1 if invalid.
int parseQ(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int whole = v[0] - '0';
  if (v.size() == 1) return whole * 1000;
  if (v[1] != '.' || v.size() > 5) return -1;
  int frac = 0, scale = 100;
  for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (!isDigit(v[i])) return -1;
    frac += (v[i] - '0') * scale;
  }
  if (whole == 1 && frac != 0) return -1;
  return whole * 1000 + frac;
}

}  // namespace

std::optional<std::string> normalizeLanguageTag(std::string_view tag) {
  tag = trim(tag);
  if (tag.empty() || tag.size() > 35) return std::nullopt;
  std::string out;
  size_t index = 0;
  bool afterSingleton = false;  // after "x-" or an extension letter subtags keep lower case
  while (!tag.empty()) {
    size_t dash = tag.find_first_of("-_");
    std::string_view sub = tag.substr(0, dash);
    tag = dash == std::string_view::npos ? std::string_view() : tag.substr(dash + 1);
    if (dash != std::string_view::npos && tag.empty()) return std::nullopt;  // trailing dash
    if (sub.empty() || sub.size() > 8) return std::nullopt;
    for (char c : sub) {
      if (!isAlpha(c) && !isDigit(c)) return std::nullopt;
    }
    if (index == 0) {
      if (sub.size() == 4 || sub.size() < 2) return std::nullopt;
      for (char c : sub) {
        if (!isAlpha(c)) return std::nullopt;
      }
    }
    if (!out.empty()) out += '-';
    if (index > 0 && !afterSingleton && sub.size() == 2 && isAlpha(sub[0]) && isAlpha(sub[1])) {
      out += upper(sub[0]);
      out += upper(sub[1]);
    } else if (index > 0 && !afterSingleton && sub.size() == 4 && isAlpha(sub[0])) {
      out += upper(sub[0]);
      for (char c : sub.substr(1)) out += lower(c);
    } else {
      for (char c : sub) out += lower(c);
    }
    if (index > 0 && sub.size() == 1) afterSingleton = true;
    ++index;
  }
  return out;
}

std::optional<std::string> preferredLanguage(std::string_view acceptLanguage) {
  std::optional<std::string> best;
  int bestQ = 0;
  while (!acceptLanguage.empty()) {
    size_t comma = acceptLanguage.find(',');
    std::string_view item = acceptLanguage.substr(0, comma);
    acceptLanguage =
        comma == std::string_view::npos ? std::string_view() : acceptLanguage.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view range = trim(item.substr(0, semi));
    int q = 1000;
    bool valid = true;
    std::string_view params =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    while (!params.empty()) {
      size_t next = params.find(';');
      std::string_view param = trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      if (param.size() >= 2 && lower(param[0]) == 'q' && param[1] == '=') {
        q = parseQ(trim(param.substr(2)));
        if (q < 0) valid = false;
      }
    }
    if (!valid || q <= bestQ || range.empty() || range == "*") continue;
    if (auto tag = normalizeLanguageTag(range)) {
      best = std::move(tag);
      bestQ = q;
    }
  }
  return best;
}

std::optional<std::string> chooseLanguage(std::optional<std::string_view> beaconLanguage,
                                          std::string_view acceptLanguage) {
  if (beaconLanguage) {
    if (auto tag = normalizeLanguageTag(*beaconLanguage)) return tag;
  }
  return preferredLanguage(acceptLanguage);
}

}  // namespace consentry::filters::telemetry
