#pragma once
// Small pieces of the Prometheus text exposition format 0.0.4 shared by the registry and the
// process collector: escaping, number formatting and name validation.

#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/admin/metrics.h"

namespace consentry::admin::prom {

// Label values escape backslash, double quote and newline.
void appendLabelValue(std::string& out, std::string_view value);
// HELP text escapes backslash and newline.
void appendHelp(std::string& out, std::string_view help);
// `{k="v",k2="v2"}`, or nothing for no labels; `extra` (already rendered, e.g. `le="0.5"`) last.
void appendLabels(std::string& out, const Labels& labels, std::string_view extra = {});
// Shortest text that parses back to the same double; "+Inf", "-Inf", "NaN" as Prometheus spells.
void appendDouble(std::string& out, double v);
void appendUint(std::string& out, uint64_t v);
void appendInt(std::string& out, int64_t v);
// "# HELP name help\n# TYPE name type\n".
void appendHeader(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type);

// [a-zA-Z_:][a-zA-Z0-9_:]* for metric names; labels may not use ':' and '__' prefixes are
// reserved for Prometheus itself.
bool validMetricName(std::string_view name);
bool validLabelName(std::string_view name);

}  // namespace consentry::admin::prom
