// Checks that need more than one section (names, references, ordering) and the defaults that
// depend on other sections (first upstream as the route, the fallback sink).
#include <algorithm>
#include <map>

#include "config/load_state.h"

namespace consentry::config::detail {
namespace {

void report(LoadState& s, const SourcePos& pos, std::string message) {
  Diagnostics::add(s.errors, pos.file, pos.mark, std::move(message));
}

// Reports every name seen before; names are compared as written.
void checkUnique(LoadState& s, const std::vector<std::string>& names,
                 const std::vector<SourcePos>& pos, const char* what) {
  std::map<std::string, size_t> first;
  for (size_t i = 0; i < names.size() && i < pos.size(); ++i) {
    if (names[i].empty()) continue;
    auto [it, inserted] = first.emplace(names[i], i);
    if (!inserted) {
      const SourcePos& p = pos[it->second];
      report(s, pos[i],
             std::string("duplicate ") + what + " '" + names[i] + "' (first defined at " + p.file +
                 ":" + std::to_string(p.mark.line + 1) + ")");
    }
  }
}

// Port 0 asks the kernel for a fresh port each time, so such addresses never collide.
bool isFixedPort(const std::string& canonical) {
  return canonical.size() < 2 || canonical.compare(canonical.size() - 2, 2, ":0") != 0;
}

void checkListeners(LoadState& s) {
  const Config& c = s.config;
  std::vector<std::string> addresses;
  for (const Listener& l : c.listeners) {
    const std::string canon = canonicalHostPort(l.address);
    const bool valid = checkHostPort(l.address, false, true).empty();
    addresses.push_back(valid && isFixedPort(canon) ? canon : std::string());
  }
  checkUnique(s, addresses, s.listenerPos, "listener address");
  const std::string admin = canonicalHostPort(c.admin.address);
  if (checkHostPort(c.admin.address, false, true).empty() && isFixedPort(admin) &&
      std::find(addresses.begin(), addresses.end(), admin) != addresses.end()) {
    report(s, s.adminPos, "admin.address: '" + c.admin.address + "' is also a listener address");
  }
}

void checkUpstreams(LoadState& s) {
  Config& c = s.config;
  if (c.upstreams.empty() && !s.upstreamsGiven) {
    // SPEC §2: a config may omit any section. Without one, the origin is where the shipped
    // config and the demo put it; an explicit empty list is still refused below.
    Upstream site;
    site.name = "site";
    site.servers = {"127.0.0.1:8081"};
    c.upstreams.push_back(std::move(site));
  }
  if (c.upstreams.empty()) {
    report(s, s.upstreamsPos, "upstreams: at least one upstream is required");
    return;
  }
  std::vector<std::string> names;
  for (const Upstream& u : c.upstreams) names.push_back(u.name);
  checkUnique(s, names, s.upstreamPos, "upstream name");
  for (size_t i = 0; i < c.routes.size(); ++i) {
    const std::string& target = c.routes[i].upstream;
    if (!target.empty() && std::find(names.begin(), names.end(), target) == names.end()) {
      report(s, s.routeUpstreamPos[i],
             "routes[" + std::to_string(i) + "].upstream: no upstream named '" + target + "'");
    }
  }
  if (c.routes.empty()) c.routes.push_back(Route{"*", "/", c.upstreams.front().name});
}

void checkSinks(LoadState& s) {
  Config& c = s.config;
  std::vector<std::string> names;
  for (const Sink& k : c.sinks) names.push_back(k.name);
  checkUnique(s, names, s.sinkPos, "sink name");
  if (c.sinks.empty()) {
    Sink local;
    local.name = "local";
    c.sinks.push_back(local);
    names.push_back(local.name);
  }
  auto known = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (size_t r = 0; r < c.regions.size(); ++r) {
    for (size_t i = 0; i < c.regions[r].sinks.size(); ++i) {
      if (!known(c.regions[r].sinks[i])) {
        report(s, s.regionSinkPos[r][i],
               "region '" + c.regions[r].name + "': no sink named '" + c.regions[r].sinks[i] + "'");
      }
    }
  }
  for (size_t i = 0; i < c.unknownSinks.size(); ++i) {
    if (!known(c.unknownSinks[i])) {
      report(s, s.unknownSinkPos[i], "unknown_sinks: no sink named '" + c.unknownSinks[i] + "'");
    }
  }
}

void checkRegions(LoadState& s) {
  const Config& c = s.config;
  std::vector<std::string> names;
  for (const Region& r : c.regions) names.push_back(r.name);
  checkUnique(s, names, s.regionPos, "region name");
  for (size_t i = 0; i + 1 < c.regions.size(); ++i) {
    const Region& r = c.regions[i];
    if (r.name == "default") {
      report(s, s.regionPos[i], "region 'default' must be the last region");
    } else if (r.isDefault) {
      report(s, s.regionPos[i],
             "region '" + r.name +
                 "' has no countries, subdivisions or continents, so it "
                 "matches every client; it must be the last region");
    }
  }
  if (c.unknownRegion != "strictest" &&
      std::find(names.begin(), names.end(), c.unknownRegion) == names.end()) {
    report(s, s.unknownRegionPos,
           "unknown_region: expected strictest or a region name, no region named '" +
               c.unknownRegion + "'");
  }
}

}  // namespace

void checkAndComplete(LoadState& s) {
  checkListeners(s);
  checkUpstreams(s);
  checkRegions(s);
  checkSinks(s);
}

}  // namespace consentry::config::detail
