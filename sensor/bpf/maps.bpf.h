/* Every map and global of the sensor, declared once. __weak lets each hook's object
 * include this header; bpftool gen object merges them into one. */
#ifndef CASTELLAN_MAPS_BPF_H
#define CASTELLAN_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "sensor/abi/sensor_abi.h"

/* Ring buffer size in bytes, set by user space before load (a power of two). */
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 8 * 1024 * 1024);
} events __weak SEC(".maps");

/* Counters of seen, filtered, submitted and dropped events, one slot per CPU. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct castellan_counters);
} counters __weak SEC(".maps");

/* Which rules apply to a cgroup and its subtree, keyed by cgroup id. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 16384);
  __type(key, __u64);
  __type(value, struct castellan_scope);
} cgroup_rules __weak SEC(".maps");

/* Exec rules by process name (comm, zero-padded to 16 bytes). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, char[CASTELLAN_COMM_LEN]);
  __type(value, struct castellan_exec_name);
} exec_names __weak SEC(".maps");

/* File write rules by absolute path prefix; value is a rule mask. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 4096);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct castellan_path_key);
  __type(value, __u64);
} path_prefixes __weak SEC(".maps");

/* Connect rules excepting an IPv4 CIDR; value is a rule mask. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 4096);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct castellan_cidr4_key);
  __type(value, __u64);
} cidr_v4 __weak SEC(".maps");

/* Connect rules excepting an IPv6 CIDR; value is a rule mask. */
struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __uint(max_entries, 4096);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __type(key, struct castellan_cidr6_key);
  __type(value, __u64);
} cidr_v6 __weak SEC(".maps");

/* Connect rules excepting a destination port; value is a rule mask. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, __u16);
  __type(value, __u64);
} except_ports __weak SEC(".maps");

/* Processes reported at exec, so that their exit is reported too (bounded, LRU). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, 65536);
  __type(key, __u32);
  __type(value, __u8);
} tracked_pids __weak SEC(".maps");

/* Per-CPU scratch space for building a path; overflow lets a copy start anywhere in key.data. */
#define CASTELLAN_PATH_DEPTH 32
struct castellan_scratch {
  struct castellan_path_key key;
  char overflow[CASTELLAN_PATH_MAX];
  const unsigned char *names[CASTELLAN_PATH_DEPTH];
};
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct castellan_scratch);
} scratch __weak SEC(".maps");

/* Rule masks and scope, written by user space (also after load). */
struct castellan_rule_config rule_config __weak SEC(".data");

/* Set by the wakeup policy: submit without waking the consumer below this many bytes. */
const volatile __u32 wakeup_bytes __weak = 64 * 1024;

/* Keeps the record types in the object's BTF, so a test can check them against the ABI. */
struct castellan_btf_anchors btf_anchors __weak;

#endif
