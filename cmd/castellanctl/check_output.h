#pragma once
// Renders a CheckReport as the JSON object or the table `castellanctl check` prints.

#include <nlohmann/json.hpp>
#include <string>

#include "check_report.h"

namespace castellan::ctl {

// {"results":[{"resource":{...},"policy":...,"mode":...,"allowed":...,"violations":[...],
//   "patch":[...]}], "summary":{"resources":N,"evaluations":N,"denied":N,"warned":N}}
nlohmann::ordered_json report_json(const CheckReport& report);

// An aligned table, violations under their row, ending with a summary line. `color` adds ANSI
// colours (callers pass true only for a terminal).
std::string report_table(const CheckReport& report, bool color);

}  // namespace castellan::ctl
