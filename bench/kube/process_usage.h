#pragma once
// Resident memory and CPU time of this process, for the benchmark's per-Pod figures.

#include <cstdint>

namespace castellan::bench {

// Resident set size after returning free heap pages to the system (malloc_trim), so that
// transient buffers of a finished list do not count.
std::int64_t trimmed_rss_bytes();
// Bytes the heap has handed out and not taken back (malloc's in-use count), whatever pages
// they sit on.
std::int64_t live_heap_bytes();
// User + system CPU time of the whole process, in seconds.
double process_cpu_seconds();
// CPU time of the calling thread, in seconds.
double thread_cpu_seconds();

}  // namespace castellan::bench
