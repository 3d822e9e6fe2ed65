/* Shared by openat and openat2: a write, create or truncate open under a watched prefix. */
#ifndef CASTELLAN_OPEN_BPF_H
#define CASTELLAN_OPEN_BPF_H

#include "path.bpf.h"

#define CASTELLAN_O_WRONLY 01
#define CASTELLAN_O_RDWR 02
#define CASTELLAN_O_CREAT 0100
#define CASTELLAN_O_TRUNC 01000
#define CASTELLAN_WRITE_FLAGS (CASTELLAN_O_WRONLY | CASTELLAN_O_RDWR | CASTELLAN_O_CREAT | CASTELLAN_O_TRUNC)

static __always_inline int handle_open(int dirfd, const char *name, __u64 open_flags) {
  struct castellan_counters *c = counters_get();
  if (!c)
    return 0;
  c->seen++;
  __u64 mask = (open_flags & CASTELLAN_WRITE_FLAGS) ? scope_mask() & rule_config.file_rules : 0;
  if (!mask) {
    c->filtered++;
    return 0;
  }
  struct castellan_scratch *s = scratch_get();
  if (!s)
    return 0;
  bool truncated = false;
  int len = resolve_path(s, dirfd, name, &truncated);
  if (truncated)
    c->dropped_path++;
  if (len <= 0) {
    c->filtered++;
    return 0;
  }
  __u32 flags = truncated ? CASTELLAN_FLAG_PATH_TRUNCATED : 0;
  __u64 hit;
  if (has_dot_component(s)) {
    hit = mask; /* user space normalises the path and decides */
    flags |= CASTELLAN_FLAG_NEEDS_CHECK;
  } else {
    s->key.prefixlen = (__u32)len * 8;
    __u64 *rules = bpf_map_lookup_elem(&path_prefixes, &s->key);
    hit = rules ? *rules & mask : 0;
  }
  if (!hit) {
    c->filtered++;
    return 0;
  }

  struct castellan_file_open_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    c->dropped_ringbuf++;
    return 0;
  }
  bpf_probe_read_kernel(e->path, sizeof(e->path), s->key.data);
  e->path[CASTELLAN_PATH_MAX - 1] = 0;
  e->path_len = len;
  e->open_flags = open_flags;
  e->dirfd = dirfd;
  fill_header(&e->hdr, CASTELLAN_EVENT_FILE_OPEN, sizeof(*e), hit, flags);
  track_pid(e->hdr.pid);
  submit(e, c);
  return 0;
}

#endif
