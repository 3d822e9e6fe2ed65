// castellanctl: offline tools for Castellan. Parses flags, wires the loader, the report and
// the output together; exit codes are for CI pipelines (see kCheckHelp).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "api/manifest_loader.h"
#include "check_options.h"
#include "check_output.h"
#include "check_report.h"

namespace {

using namespace castellan;

constexpr int kExitAllowed = 0;
constexpr int kExitDenied = 1;
constexpr int kExitBadInput = 2;

const char* const kHelp = R"(castellanctl: offline tools for Castellan SecurityPolicies.

Usage:
  castellanctl check --policy PATH... --resource PATH... [--output table|json]
  castellanctl version
  castellanctl --help

Commands:
  check     Evaluate SecurityPolicies against manifests with no cluster (CI, pre-merge checks)
  version   Print the version

Run 'castellanctl check --help' for the flags and exit codes of check.
)";

int fail(const std::string& message, const char* hint = nullptr) {
  std::cerr << "castellanctl: error: ";
  // Multi-line messages (one problem per line) read better as a list.
  if (message.find('\n') == std::string::npos) {
    std::cerr << message << "\n";
  } else {
    std::cerr << "\n";
    size_t start = 0;
    while (start <= message.size()) {
      size_t end = message.find('\n', start);
      std::cerr << "  " << message.substr(start, end - start) << "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  if (hint) std::cerr << hint << "\n";
  return kExitBadInput;
}

bool use_color(ctl::ColorMode mode) {
  if (mode != ctl::ColorMode::Auto) return mode == ctl::ColorMode::Always;
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr &&
         !(term && std::string(term) == "dumb");
}

int run_check(const std::vector<std::string>& args) {
  auto options = ctl::parse_check_options(args);
  if (!options.ok()) {
    return fail(options.error().message, "Run 'castellanctl check --help' for usage.");
  }
  if (options->help) {
    std::cout << ctl::kCheckHelp;
    return kExitAllowed;
  }
  auto policies = api::load_manifests(options->policy_paths, std::cin);
  auto resources = api::load_manifests(options->resource_paths, std::cin);
  if (!policies.ok() || !resources.ok()) {
    std::string message = policies.ok() ? "" : policies.error().message;
    if (!resources.ok()) message += (message.empty() ? "" : "\n") + resources.error().message;
    return fail(message);
  }
  // An empty input is more often a broken pipeline upstream than a clean result.
  if (resources->empty()) return fail("no manifests found in the --resource paths");
  auto report = ctl::build_check_report(*policies, *resources,
                                        {std::move(options->pod_security), options->user});
  if (!report.ok()) return fail(report.error().message);
  if (options->output == ctl::OutputFormat::Json) {
    std::cout << ctl::report_json(*report).dump() << "\n";
  } else {
    std::cout << ctl::report_table(*report, use_color(options->color));
  }
  return report->denied > 0 ? kExitDenied : kExitAllowed;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kHelp;
    return kExitBadInput;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kHelp;
    return kExitAllowed;
  }
  if (command == "version" || command == "--version") {
    std::cout << "castellanctl " << CASTELLAN_VERSION << "\n";
    return kExitAllowed;
  }
  if (command == "check") return run_check(args);
  return fail("unknown command \"" + command + "\"", "Run 'castellanctl --help' for usage.");
}
