/* connect_storm N PORT: N TCP connects to 127.0.0.1:PORT (refused connects are fine). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "storm_clock.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: connect_storm N PORT\n");
    return 2;
  }
  long n = atol(argv[1]);
  double start_wall = storm_now(), start_cpu = storm_cpu();
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (long i = 0; i < n; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      perror("connect_storm");
      return 1;
    }
    connect(fd, (struct sockaddr *)&addr, sizeof(addr));
    close(fd);
  }
  storm_report(start_wall, start_cpu);
  return 0;
}
