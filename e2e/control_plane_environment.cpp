#include "e2e/control_plane_environment.h"

#include <cstdio>
#include <cstdlib>

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
  auto plane = ControlPlane::start();
  ASSERT_TRUE(plane.ok()) << "The local control plane did not start: " << plane.error().message;
  shared_plane() = std::move(plane).value();
}

void ControlPlaneEnvironment::TearDown() { shared_plane().reset(); }

}  // namespace castellan::e2e
