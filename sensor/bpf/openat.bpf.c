/* openat(dirfd, pathname, flags, mode). */
#include "open.bpf.h"

SEC("tp/syscalls/sys_enter_openat")
int castellan_openat(struct trace_event_raw_sys_enter *ctx) {
  return handle_open((int)ctx->args[0], (const char *)ctx->args[1], ctx->args[2]);
}

char LICENSE[] SEC("license") = "GPL";
