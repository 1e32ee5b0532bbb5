#pragma once
// Enforces SPEC §9 invariant 4: an upstream Set-Cookie for a category the visitor did not consent
// to is removed before the response reaches the browser. Patterns come from
// privacy.strip_cookies (category -> cookie names, '*' matches any run of characters).

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/http_header.h"

namespace consentry::filters {

// What the visitor allowed, as far as cookies are concerned.
struct GrantedCategories {
  bool analytics = false;
  bool marketing = false;
  bool functional = false;
  bool granted(std::string_view category) const;
};

// Glob match where '*' is the only metacharacter; case-sensitive like cookie names.
bool wildcardMatch(std::string_view pattern, std::string_view text);

// The cookie name of a Set-Cookie value ("name=value; Path=/" -> "name"), trimmed.
std::string_view setCookieName(std::string_view setCookieValue);

class CookieStripper {
 public:
  explicit CookieStripper(const std::map<std::string, std::vector<std::string>>& patterns);

  // The category whose patterns match `cookieName`, or empty when no category claims it.
  std::string_view categoryOf(std::string_view cookieName) const;

  // True when the Set-Cookie value must be removed given what the visitor granted.
  bool shouldStrip(std::string_view setCookieValue, const GrantedCategories& granted) const;

  // Indexes of the Set-Cookie headers in `headers` to remove.
  std::vector<size_t> headersToStrip(std::span<const HeaderField> headers,
                                     const GrantedCategories& granted) const;

  bool empty() const { return rules_.empty(); }

 private:
  struct Rule {
    std::string category;
    std::string pattern;
  };
  std::vector<Rule> rules_;
};

}  // namespace consentry::filters
