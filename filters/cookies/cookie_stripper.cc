#include "filters/cookies/cookie_stripper.h"

namespace consentry::filters {

bool GrantedCategories::granted(std::string_view category) const {
  if (category == "analytics") return analytics;
  if (category == "marketing") return marketing;
  if (category == "functional") return functional;
  return false;  // an unknown category was never granted
}

bool wildcardMatch(std::string_view pattern, std::string_view text) {
  // Iterative glob with single-star backtracking: linear in practice, no recursion.
  size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      starP = p++;
      starT = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (starP != std::string_view::npos) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string_view setCookieName(std::string_view value) {
  const size_t end = value.find_first_of("=;");
  std::string_view name = value.substr(0, end);
  while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
  while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
  return name;
}

CookieStripper::CookieStripper(const std::map<std::string, std::vector<std::string>>& patterns) {
  for (const auto& [category, names] : patterns) {
    for (const auto& name : names) rules_.push_back({category, name});
  }
}

std::string_view CookieStripper::categoryOf(std::string_view cookieName) const {
  for (const auto& rule : rules_) {
    if (wildcardMatch(rule.pattern, cookieName)) return rule.category;
  }
  return {};
}

bool CookieStripper::shouldStrip(std::string_view setCookieValue,
                                 const GrantedCategories& granted) const {
  const auto category = categoryOf(setCookieName(setCookieValue));
  return !category.empty() && !granted.granted(category);
}

std::vector<size_t> CookieStripper::headersToStrip(std::span<const HeaderField> headers,
                                                   const GrantedCategories& granted) const {
  std::vector<size_t> out;
  if (rules_.empty()) return out;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (equalsIgnoreCase(headers[i].name, "set-cookie") && shouldStrip(headers[i].value, granted)) {
      out.push_back(i);
    }
  }
  return out;
}

}  // namespace consentry::filters
