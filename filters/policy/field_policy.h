#pragma once
// Applies a region's field rules (config::FieldPolicy) to an event in place: what the region
// drops becomes absent, what it reduces is reduced (SPEC §2, §9 invariant 2). Pure and
// allocation-light: it runs once per event on the hot path.

#include "config/config.h"
#include "events/event.h"

namespace consentry::filters::policy {

void applyFieldPolicy(const config::FieldPolicy& policy, events::Event& event);

}  // namespace consentry::filters::policy
