/* The floor: empty programs at the sensor's hooks, measuring what attaching alone costs. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("tp/sched/sched_process_exec")
int empty_exec(void *ctx) { return 0; }

SEC("tp/sched/sched_process_exit")
int empty_exit(void *ctx) { return 0; }

SEC("tp/syscalls/sys_enter_openat")
int empty_openat(void *ctx) { return 0; }

SEC("tp/syscalls/sys_enter_openat2")
int empty_openat2(void *ctx) { return 0; }

SEC("tp/syscalls/sys_enter_connect")
int empty_connect(void *ctx) { return 0; }

char LICENSE[] SEC("license") = "GPL";
