#pragma once
// Lifecycle messages (started, listening, reload, draining, exit) as one JSON line each on stderr.

#include <initializer_list>
#include <string_view>
#include <utility>

namespace consentry::proxy {

using LogField = std::pair<std::string_view, std::string_view>;

// {"time":"...","level":"info","msg":"...",<fields>}; values are written as JSON strings.
void logLifecycle(std::string_view level, std::string_view message,
                  std::initializer_list<LogField> fields = {});

}  // namespace consentry::proxy
