#pragma once
// Static analysis of a regex for a cheap prefilter: which literals every match must contain.
// The answer is a conjunction of clauses, each clause a disjunction of lower-case literals
// ("must contain 'chrome' AND one of 'iphone'|'android'"). It is conservative: whatever the
// analysis does not understand adds no clause, so a failed check proves the regex cannot match.

#include <string>
#include <string_view>
#include <vector>

namespace consentry::filters::telemetry {

using LiteralClause = std::vector<std::string>;  // any one of these (lower case) must occur

// At most `maxClauses` clauses, most selective first. Clauses with a literal shorter than two
// characters are left out (they reject almost nothing).
std::vector<LiteralClause> requiredLiterals(std::string_view pattern, size_t maxClauses = 3);

}  // namespace consentry::filters::telemetry
