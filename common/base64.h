#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace castellan {

// Standard base64 (RFC 4648 §4) with padding.
std::string base64_encode(std::string_view data);
// nullopt on characters outside the alphabet or bad padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace castellan
