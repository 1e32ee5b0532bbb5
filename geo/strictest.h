#pragma once
// The "strictest" merge behind unknown_region: strictest (SPEC §2). For each field it picks the
// strictest treatment any of the given policies applies: drop beats truncate beats keep, shorter
// IP prefixes beat longer ones, major beats full, primary beats full, bucket beats exact, country
// beats subdivision, origin beats full.

#include <span>

#include "config/config.h"

namespace consentry::geo {

// No policies: keep everything (the same as a config without regions).
config::FieldPolicy strictestFieldPolicy(std::span<const config::FieldPolicy> policies);

// The strictest of two GPC modes: refuse_all beats refuse_marketing beats ignore.
config::GpcMode strictestGpc(config::GpcMode a, config::GpcMode b);

}  // namespace consentry::geo
