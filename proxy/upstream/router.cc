#include "proxy/upstream/router.h"

#include <algorithm>

#include "base/http_header.h"

namespace consentry::upstream {

Router::Router(const config::Config& config) {
  if (config.routes.empty()) {
    fallback_ = config.upstreams.empty() ? -1 : 0;
    return;
  }
  for (const auto& route : config.routes) {
    int index = -1;
    for (size_t i = 0; i < config.upstreams.size(); ++i) {
      if (config.upstreams[i].name == route.upstream) index = static_cast<int>(i);
    }
    if (index < 0) continue;
    auto group = std::find_if(groups_.begin(), groups_.end(), [&](const HostGroup& g) {
      return equalsIgnoreCase(g.pattern, route.host);
    });
    if (group == groups_.end()) {
      groups_.push_back(HostGroup{route.host, {}});
      group = groups_.end() - 1;
    }
    group->entries.push_back(Entry{route.prefix, index});
  }
  for (auto& g : groups_) {
    std::stable_sort(g.entries.begin(), g.entries.end(), [](const Entry& a, const Entry& b) {
      return a.prefix.size() > b.prefix.size();
    });
  }
}

bool Router::hostMatches(std::string_view pattern, std::string_view host) {
  if (pattern == "*") return true;
  // Strip the port; a bracketed IPv6 literal keeps its colons.
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close != std::string_view::npos) host = host.substr(0, close + 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    std::string_view suffix = pattern.substr(1);  // ".example.com"
    return host.size() > suffix.size() &&
           equalsIgnoreCase(host.substr(host.size() - suffix.size()), suffix);
  }
  return equalsIgnoreCase(pattern, host);
}

int Router::match(std::string_view host, std::string_view path) const {
  if (groups_.empty()) return fallback_;
  for (const auto& g : groups_) {
    if (!hostMatches(g.pattern, host)) continue;
    for (const auto& e : g.entries) {
      if (path.substr(0, e.prefix.size()) == e.prefix) return e.upstream;
    }
  }
  return -1;
}

}  // namespace consentry::upstream
