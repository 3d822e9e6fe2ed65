#pragma once
// evaluate(): which rules an event violates. The kernel narrowed the candidates (the header's
// rule mask); this finishes what it could not decide: full exec names beyond 15 characters,
// paths with "." or ".." components, and a final check of every candidate. Pure.

#include <vector>

#include "sensor/event.h"
#include "sensor/ruleset.h"

namespace castellan::sensor {

std::vector<const CompiledRule*> evaluate(const Event& event, const CompiledRuleset& ruleset);

}  // namespace castellan::sensor
