#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace castellan::controller {

// "2026-01-01T00:00:00Z" (metav1.Time's format: seconds, UTC).
std::string format_rfc3339(std::chrono::system_clock::time_point t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.frac]Z"; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(const std::string& text);

}  // namespace castellan::controller
