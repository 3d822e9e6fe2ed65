/* The one header shared by the BPF programs (sensor/bpf) and user space (sensor/).
 * Includes nothing: include vmlinux.h (kernel) or <linux/types.h> (user space) first.
 * Fixed-width fields only; a test checks this layout against the compiled object's BTF. */
#ifndef CASTELLAN_SENSOR_ABI_H
#define CASTELLAN_SENSOR_ABI_H

#define CASTELLAN_COMM_LEN 16      /* TASK_COMM_LEN */
#define CASTELLAN_PATH_MAX 256     /* resolved path bound, NUL included; also the LPM key bound */
#define CASTELLAN_ARGS_MAX 512     /* argv bytes copied at exec, NUL-separated */
#define CASTELLAN_MAX_RULES 64     /* rule masks are one __u64 */
#define CASTELLAN_SCOPE_LEVELS 4   /* distinct cgroup levels that scope roots may sit at */

enum castellan_event_type {
  CASTELLAN_EVENT_EXEC = 1,
  CASTELLAN_EVENT_FILE_OPEN = 2,
  CASTELLAN_EVENT_CONNECT = 3,
  CASTELLAN_EVENT_EXIT = 4,
};

/* Bits of castellan_event_header.flags. */
enum castellan_event_flag {
  CASTELLAN_FLAG_KILLED = 1 << 0,          /* the exec was answered with SIGKILL */
  CASTELLAN_FLAG_PATH_TRUNCATED = 1 << 1,  /* path longer than CASTELLAN_PATH_MAX */
  CASTELLAN_FLAG_ARGS_TRUNCATED = 1 << 2,  /* argv longer than CASTELLAN_ARGS_MAX */
  CASTELLAN_FLAG_NEEDS_CHECK = 1 << 3,     /* kernel could not decide; user space must */
};

/* Common prefix of every ring buffer record. */
struct castellan_event_header {
  __u32 type;            /* enum castellan_event_type */
  __u32 size;            /* bytes of the whole record */
  __u64 timestamp_ns;    /* bpf_ktime_get_boot_ns() */
  __u64 cgroup_id;       /* cgroup v2 id of the task */
  __u64 rule_mask;       /* rules the kernel found matching (bit = rule index) */
  __u32 pid;             /* thread group id (user-space pid) */
  __u32 tid;             /* thread id */
  __u32 ppid;            /* real parent's thread group id */
  __u32 uid;             /* real uid */
  __u32 flags;           /* enum castellan_event_flag bits */
  __u32 pad;             /* keeps the next field 8-byte aligned */
  char comm[CASTELLAN_COMM_LEN]; /* task comm, NUL-terminated */
};

struct castellan_exec_event {
  struct castellan_event_header hdr;
  __u32 exe_len;         /* bytes used in exe, NUL included */
  __u32 args_len;        /* bytes used in args */
  char exe[CASTELLAN_PATH_MAX];   /* filename passed to execve, NUL-terminated */
  char args[CASTELLAN_ARGS_MAX];  /* argv strings, each NUL-terminated */
};

struct castellan_file_open_event {
  struct castellan_event_header hdr;
  __u64 open_flags;      /* O_* flags as passed to openat/openat2 */
  __s32 dirfd;           /* dirfd argument (AT_FDCWD = -100) */
  __u32 path_len;        /* bytes used in path, NUL included */
  char path[CASTELLAN_PATH_MAX];  /* resolved absolute path (not normalised), NUL-terminated */
};

struct castellan_connect_event {
  struct castellan_event_header hdr;
  __u16 family;          /* AF_INET (2) or AF_INET6 (10) */
  __u16 port;            /* destination port, host byte order */
  __u32 pad;             /* keeps addr 8-byte aligned */
  __u8 addr[16];         /* IPv4 in the first 4 bytes, or IPv6; network byte order */
};

struct castellan_exit_event {
  struct castellan_event_header hdr;
  __s32 exit_code;       /* task->exit_code (status as wait(2) encodes it) */
  __u32 pad;             /* keeps the record 8-byte aligned */
};

/* Per-CPU counters; user space sums the CPUs. */
struct castellan_counters {
  __u64 seen;            /* hook invocations */
  __u64 filtered;        /* events discarded in the kernel: no rule could match */
  __u64 submitted;       /* records written to the ring buffer */
  __u64 dropped_ringbuf; /* records lost because the ring buffer was full */
  __u64 dropped_path;    /* paths longer than CASTELLAN_PATH_MAX (delivered truncated) */
  __u64 killed;          /* SIGKILLs sent by Kill rules */
};

/* Value of cgroup_rules: which rules apply in that cgroup (subtree). */
struct castellan_scope {
  __u64 rule_mask;       /* bit = rule index */
};

/* Value of exec_names. */
struct castellan_exec_name {
  __u64 rule_mask;       /* exec rules naming this comm */
  __u64 kill_mask;       /* of those, rules with action Kill decidable in the kernel */
};

/* Key of path_prefixes: LPM trie over the path bytes. */
struct castellan_path_key {
  __u32 prefixlen;       /* bits */
  __u8 data[CASTELLAN_PATH_MAX]; /* path bytes */
};

/* Key of cidr_v4 (data 4 bytes) and cidr_v6 (data 16 bytes). */
struct castellan_cidr4_key {
  __u32 prefixlen;       /* bits */
  __u8 addr[4];          /* network byte order */
};

struct castellan_cidr6_key {
  __u32 prefixlen;       /* bits */
  __u8 addr[16];         /* network byte order; IPv4 rules appear as ::ffff:a.b.c.d */
};

/* Global rule state, in .data so user space can change it on a loaded program. */
struct castellan_rule_config {
  __u64 exec_rules;      /* mask of exec rules */
  __u64 file_rules;      /* mask of file write rules */
  __u64 connect_rules;   /* mask of connect rules */
  __u64 all_scope_mask;  /* rules applying to every cgroup (0 = scope by cgroup_rules) */
  __u32 scope_levels[CASTELLAN_SCOPE_LEVELS]; /* cgroup levels holding scope roots; 0 = unused */
  __u32 sensor_tgid;     /* the sensor's own pid, never in scope */
  __u32 pad;             /* keeps the struct 8-byte aligned */
};

/* Never used at run time: a global of this type keeps the records in the object's BTF. */
struct castellan_btf_anchors {
  struct castellan_exec_event exec;           /* anchor */
  struct castellan_file_open_event file_open; /* anchor */
  struct castellan_connect_event connect;     /* anchor */
  struct castellan_exit_event exit;           /* anchor */
};

#endif
