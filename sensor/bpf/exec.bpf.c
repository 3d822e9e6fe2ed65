/* Exec: alerts on exec rules by process name; Kill rules answer with SIGKILL before the
 * new program runs its first instruction. */
#include "helpers.bpf.h"

#define SIGKILL 9

SEC("tp/sched/sched_process_exec")
int castellan_exec(struct trace_event_raw_sched_process_exec *ctx) {
  struct castellan_counters *c = counters_get();
  if (!c)
    return 0;
  c->seen++;
  __u64 mask = scope_mask() & rule_config.exec_rules;
  if (!mask) {
    c->filtered++;
    return 0;
  }
  char comm[CASTELLAN_COMM_LEN] = {};
  bpf_get_current_comm(comm, sizeof(comm));
  struct castellan_exec_name *name = bpf_map_lookup_elem(&exec_names, comm);
  __u64 hit = name ? name->rule_mask & mask : 0;
  if (!hit) {
    c->filtered++;
    return 0;
  }
  __u32 flags = 0;
  /* A 15-character comm may be a longer name cut short: only user space can tell, so no kill. */
  bool maybe_cut = comm[CASTELLAN_COMM_LEN - 2] != 0;
  if ((name->kill_mask & hit) && !maybe_cut) {
    bpf_send_signal(SIGKILL);
    flags |= CASTELLAN_FLAG_KILLED;
    c->killed++;
  }

  struct castellan_exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    c->dropped_ringbuf++;
    return 0;
  }
  unsigned int filename_off = ctx->__data_loc_filename & 0xFFFF;
  long exe_len = bpf_probe_read_kernel_str(e->exe, sizeof(e->exe), (void *)ctx + filename_off);
  e->exe_len = exe_len > 0 ? exe_len : 0;

  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  unsigned long arg_start = BPF_CORE_READ(task, mm, arg_start);
  unsigned long arg_end = BPF_CORE_READ(task, mm, arg_end);
  unsigned long args_len = arg_end - arg_start;
  if (args_len >= CASTELLAN_ARGS_MAX) {
    args_len = CASTELLAN_ARGS_MAX - 1;
    flags |= CASTELLAN_FLAG_ARGS_TRUNCATED;
  }
  if (bpf_probe_read_user(e->args, args_len & (CASTELLAN_ARGS_MAX - 1), (void *)arg_start) < 0)
    args_len = 0;
  e->args_len = args_len;

  fill_header(&e->hdr, CASTELLAN_EVENT_EXEC, sizeof(*e), hit, flags);
  track_pid(e->hdr.pid);
  submit(e, c);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
