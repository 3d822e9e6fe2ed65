// castellan-manager: flags and wiring. Cluster mode runs the controller and the webhook;
// standalone mode serves the admission webhook for a policy directory with no cluster.
#include <iostream>
#include <string>
#include <vector>

#include "cluster.h"
#include "manager_options.h"
#include "standalone.h"

int main(int argc, char** argv) {
  using namespace castellan::manager;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = parse_manager_options(args);
  if (!options.ok()) {
    std::cerr << "castellan-manager: error: " << options.error().message
              << "\nRun 'castellan-manager --help' for usage.\n";
    return 2;
  }
  if (options->help) {
    std::cout << kHelp;
    return 0;
  }
  return options->standalone ? run_standalone(*options) : run_cluster(*options);
}
