/* Prints "wall=SECONDS cpu=SECONDS" for the storm (cpu: user+system of it and its children),
 * so run.sh measures the workload's own cost rather than a busy machine's wall clock. */
#ifndef STORM_CLOCK_H
#define STORM_CLOCK_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

static double storm_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double storm_cpu(void) {
  struct rusage self, children;
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  double s = 0;
  s += self.ru_utime.tv_sec + self.ru_utime.tv_usec / 1e6;
  s += self.ru_stime.tv_sec + self.ru_stime.tv_usec / 1e6;
  s += children.ru_utime.tv_sec + children.ru_utime.tv_usec / 1e6;
  s += children.ru_stime.tv_sec + children.ru_stime.tv_usec / 1e6;
  return s;
}

static void storm_report(double start_wall, double start_cpu) {
  printf("wall=%.6f cpu=%.6f\n", storm_now() - start_wall, storm_cpu() - start_cpu);
}

#endif
