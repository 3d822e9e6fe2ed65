/* Process exit: reported only for processes reported at exec, so user space can forget them. */
#include "helpers.bpf.h"

SEC("tp/sched/sched_process_exit")
int castellan_exit(void *ctx) {
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  __u32 pid = pid_tgid >> 32;
  if (pid != (__u32)pid_tgid)
    return 0; /* a thread, not the process */
  if (!bpf_map_lookup_elem(&tracked_pids, &pid))
    return 0;
  bpf_map_delete_elem(&tracked_pids, &pid);

  struct castellan_counters *c = counters_get();
  if (!c)
    return 0;
  struct castellan_exit_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    c->dropped_ringbuf++;
    return 0;
  }
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  fill_header(&e->hdr, CASTELLAN_EVENT_EXIT, sizeof(*e), 0, 0);
  e->exit_code = BPF_CORE_READ(task, exit_code);
  e->pad = 0;
  submit(e, c);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
