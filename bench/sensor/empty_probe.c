/* Loads empty.bpf.o, attaches every program, prints "ready" on stderr, waits for SIGTERM. */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2 || argv[1][0] == '-') {
    fprintf(stderr, "usage: empty_probe OBJECT.bpf.o\n"
                    "Attaches the object's programs, prints ready, detaches on SIGTERM/SIGINT.\n");
    return argc == 2 ? 0 : 2;
  }
  if (access("/sys/kernel/tracing/events", F_OK) != 0)
    mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, NULL);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj)) {
    fprintf(stderr, "empty_probe: cannot load %s\n", argv[1]);
    return 1;
  }
  struct bpf_program *prog;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__attach(prog)) {
      fprintf(stderr, "empty_probe: cannot attach %s\n", bpf_program__name(prog));
      return 1;
    }
  }
  fprintf(stderr, "ready\n");
  int sig;
  sigwait(&set, &sig);
  bpf_object__close(obj);
  return 0;
}
