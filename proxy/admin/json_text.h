#pragma once
// JSON string output for the admin endpoints and the access log. Request paths come from the
// network, so a line must stay valid JSON whatever bytes they carry.

#include <string>
#include <string_view>

namespace consentry::admin {

// Appends `value` as a quoted JSON string: quotes, backslashes and control characters escaped,
// bytes that are not well-formed UTF-8 replaced by U+FFFD.
void appendJsonString(std::string& out, std::string_view value);

}  // namespace consentry::admin
