/* open_storm N PATH [read|write]: opens and closes PATH N times. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "storm_clock.h"

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: open_storm N PATH [read|write]\n");
    return 2;
  }
  long n = atol(argv[1]);
  double start_wall = storm_now(), start_cpu = storm_cpu();
  int flags = (argc > 3 && strcmp(argv[3], "write") == 0) ? O_WRONLY | O_CREAT : O_RDONLY;
  for (long i = 0; i < n; i++) {
    int fd = open(argv[2], flags, 0644);
    if (fd < 0) {
      perror("open_storm");
      return 1;
    }
    close(fd);
  }
  storm_report(start_wall, start_cpu);
  return 0;
}
