/* openat2(dirfd, pathname, struct open_how *how, size): flags live in how. */
#include "open.bpf.h"

SEC("tp/syscalls/sys_enter_openat2")
int castellan_openat2(struct trace_event_raw_sys_enter *ctx) {
  __u64 open_flags = 0;
  struct open_how *how = (struct open_how *)ctx->args[2];
  bpf_probe_read_user(&open_flags, sizeof(open_flags), &how->flags);
  return handle_open((int)ctx->args[0], (const char *)ctx->args[1], open_flags);
}

char LICENSE[] SEC("license") = "GPL";
