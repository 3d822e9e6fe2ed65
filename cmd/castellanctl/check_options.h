#pragma once
// Flags of `castellanctl check`, parsed without side effects.

#include <string>
#include <vector>

#include "common/result.h"

namespace castellan::ctl {

enum class OutputFormat { Table, Json };
enum class ColorMode { Auto, Always, Never };

struct CheckOptions {
  std::vector<std::string> policy_paths;
  std::vector<std::string> resource_paths;
  OutputFormat output = OutputFormat::Table;
  ColorMode color = ColorMode::Auto;
  bool help = false;
};

// Parses the arguments after `check`. `--policy` and `--resource` take one or more paths (up to
// the next flag; `-` is stdin) and may be repeated; `--flag=value` works too.
Result<CheckOptions> parse_check_options(const std::vector<std::string>& args);

extern const char* const kCheckHelp;

}  // namespace castellan::ctl
