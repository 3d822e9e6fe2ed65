#pragma once
// Lexical path helpers shared by the rule compiler and the evaluator.

#include <string>
#include <string_view>

namespace castellan::sensor {

// Removes ".", "..", and repeated or trailing slashes from an absolute path ("/a/./b/../c" →
// "/a/c"); ".." at the root stays at the root. Symlinks are not followed.
std::string normalize_path(std::string_view path);

// True when `path` is `prefix` or lies below it ("/etc" covers "/etc" and "/etc/x", not
// "/etcx"). Both are normalized absolute paths; "/" covers every absolute path.
bool path_has_prefix(std::string_view path, std::string_view prefix);

// The part after the last '/'.
std::string_view base_name(std::string_view path);

}  // namespace castellan::sensor
