/* exec_storm N PROGRAM: runs PROGRAM N times, one after another (fork, execv, wait). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "storm_clock.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: exec_storm N PROGRAM\n");
    return 2;
  }
  long n = atol(argv[1]);
  double start_wall = storm_now(), start_cpu = storm_cpu();
  for (long i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid == 0) {
      execl(argv[2], argv[2], (char *)NULL);
      _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
      fprintf(stderr, "exec_storm: %s failed at iteration %ld\n", argv[2], i);
      return 1;
    }
  }
  storm_report(start_wall, start_cpu);
  return 0;
}
