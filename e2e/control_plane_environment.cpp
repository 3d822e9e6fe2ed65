#include "e2e/control_plane_environment.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace castellan::e2e {
namespace {

ControlPlanePtr& shared_plane() {
  static ControlPlanePtr plane;
  return plane;
}

}  // namespace

ControlPlane& ControlPlaneEnvironment::control_plane() {
  if (!shared_plane()) {
    std::fprintf(stderr, "ControlPlaneEnvironment::control_plane() used outside a test\n");
    std::abort();
  }
  return *shared_plane();
}

void ControlPlaneEnvironment::SetUp() {
  ControlPlaneOptions options;
  if (const char* args = std::getenv("CASTELLAN_E2E_APISERVER_ARGS")) {
    std::istringstream words(args);
    for (std::string arg; words >> arg;) options.extra_apiserver_args.push_back(arg);
  }
  auto plane = ControlPlane::start(options);
  ASSERT_TRUE(plane.ok()) << "The local control plane did not start: " << plane.error().message;
  shared_plane() = std::move(plane).value();
}

void ControlPlaneEnvironment::TearDown() { shared_plane().reset(); }

}  // namespace castellan::e2e
