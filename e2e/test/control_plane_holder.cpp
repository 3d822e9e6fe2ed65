// Starts a control plane (no CRDs), prints "READY <etcd pid> <apiserver pid> <directory>",
// then waits to be signalled. Exit codes: 1 if it could not start, 2 on bad usage.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "e2e/control_plane.h"

int main(int argc, char** argv) {
  if (argc > 1) {
    std::fprintf(argc == 2 && std::strcmp(argv[1], "--help") == 0 ? stdout : stderr,
                 "Usage: %s\nStarts a local control plane without CRDs, prints READY <etcd pid> "
                 "<kube-apiserver pid> <directory> and waits for a signal.\n",
                 argv[0]);
    return argc == 2 && std::strcmp(argv[1], "--help") == 0 ? 0 : 2;
  }
  castellan::e2e::ControlPlaneOptions options;
  options.crd_dir.clear();
  auto plane = castellan::e2e::ControlPlane::start(options);
  if (!plane.ok()) {
    std::fprintf(stderr, "control plane did not start: %s\n", plane.error().message.c_str());
    return 1;
  }
  std::printf("READY %d %d %s\n", (*plane)->etcd_pid(), (*plane)->apiserver_pid(),
              (*plane)->directory().c_str());
  std::fflush(stdout);
  for (;;) pause();
}
