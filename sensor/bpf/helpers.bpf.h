/* Inline helpers shared by the hooks: counters, scope, event headers, submission. */
#ifndef CASTELLAN_HELPERS_BPF_H
#define CASTELLAN_HELPERS_BPF_H

#include "maps.bpf.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

static __always_inline struct castellan_counters *counters_get(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&counters, &zero);
}

/* Rules that apply to the current task: 0 when it is out of scope. */
static __always_inline __u64 scope_mask(void) {
  __u32 tgid = bpf_get_current_pid_tgid() >> 32;
  if (tgid == rule_config.sensor_tgid)
    return 0;
  if (rule_config.all_scope_mask)
    return rule_config.all_scope_mask;
  __u64 id = bpf_get_current_cgroup_id();
  struct castellan_scope *scope = bpf_map_lookup_elem(&cgroup_rules, &id);
  if (scope)
    return scope->rule_mask;
  /* A descendant of a scope root: its ancestor at the root's level is the root. */
#pragma unroll
  for (int i = 0; i < CASTELLAN_SCOPE_LEVELS; i++) {
    __u32 level = rule_config.scope_levels[i];
    if (!level)
      break;
    __u64 ancestor = bpf_get_current_ancestor_cgroup_id(level);
    if (!ancestor || ancestor == id)
      continue;
    scope = bpf_map_lookup_elem(&cgroup_rules, &ancestor);
    if (scope)
      return scope->rule_mask;
  }
  return 0;
}

static __always_inline void fill_header(struct castellan_event_header *hdr, __u32 type, __u32 size,
                                        __u64 rule_mask, __u32 flags) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  hdr->type = type;
  hdr->size = size;
  hdr->timestamp_ns = bpf_ktime_get_boot_ns();
  hdr->cgroup_id = bpf_get_current_cgroup_id();
  hdr->rule_mask = rule_mask;
  hdr->pid = pid_tgid >> 32;
  hdr->tid = (__u32)pid_tgid;
  hdr->ppid = BPF_CORE_READ(task, real_parent, tgid);
  hdr->uid = (__u32)bpf_get_current_uid_gid();
  hdr->flags = flags;
  hdr->pad = 0;
  bpf_get_current_comm(hdr->comm, sizeof(hdr->comm));
}

/* Remembers a reported process so that its exit is reported too (user space then forgets it). */
static __always_inline void track_pid(__u32 pid) {
  if (bpf_map_lookup_elem(&tracked_pids, &pid))
    return;
  __u8 one = 1;
  bpf_map_update_elem(&tracked_pids, &pid, &one, BPF_ANY);
}

/* Wakes the consumer only once enough data is waiting; it also polls on a short timer. */
static __always_inline void submit(void *record, struct castellan_counters *c) {
  __u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
  bpf_ringbuf_submit(record, waiting >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
  c->submitted++;
}

#endif
