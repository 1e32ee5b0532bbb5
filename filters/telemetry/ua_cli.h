#pragma once
// `consentry [-c FILE] ua-parse [--hints JSON] STRING|-` (SPEC §1). The proxy's CLI resolves the
// regexes path (telemetry.ua_regexes of FILE, or the default) and hands over the rest.

#include <iosfwd>
#include <string>

namespace consentry::filters::telemetry {

// argv[0..argc) are the arguments after "ua-parse". Prints one JSON object per UA:
// {"os":{"name","version"},"browser":{"name","version"},"device":{"type","family","brand",
// "model"}} with absent parts omitted. Returns 0, 1 (unreadable regexes or bad --hints) or 2
// (usage).
int runUaParse(const std::string& regexesPath, int argc, char** argv);
int runUaParse(const std::string& regexesPath, int argc, char** argv, std::istream& in,
               std::ostream& out, std::ostream& err);

}  // namespace consentry::filters::telemetry
