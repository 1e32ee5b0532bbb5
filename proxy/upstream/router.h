#pragma once
// Route matching (SPEC §2 routes): the first route whose host pattern matches the request's host
// (exact, "*.suffix" or "*"), then the longest matching path prefix among the routes sharing that
// host pattern. Built once per config snapshot; match() does no allocation.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace consentry::upstream {

class Router {
 public:
  // Routes naming an unknown upstream are skipped (the config loader refuses them anyway).
  explicit Router(const config::Config& config);

  // Index into config.upstreams, or -1 when no route matches (or there is no upstream at all).
  int match(std::string_view host, std::string_view path) const;

  // Exposed for tests: host pattern matching, case-insensitive, port ignored.
  static bool hostMatches(std::string_view pattern, std::string_view host);

 private:
  struct Entry {
    std::string prefix;
    int upstream;
  };
  struct HostGroup {
    std::string pattern;
    std::vector<Entry> entries;  // sorted by descending prefix length
  };
  std::vector<HostGroup> groups_;
  int fallback_ = -1;  // first upstream when there are no routes
};

}  // namespace consentry::upstream
