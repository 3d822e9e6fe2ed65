/* Path resolution in the kernel: a struct path is walked up to the task's root, crossing
 * mounts; the result is lexical (symlinks and "." / ".." are left to user space). */
#ifndef CASTELLAN_PATH_BPF_H
#define CASTELLAN_PATH_BPF_H

#include "helpers.bpf.h"

#define AT_FDCWD -100
#define PATH_MASK (CASTELLAN_PATH_MAX - 1)

/* An offset into key.data the verifier can prove in bounds (the compiler may not drop it). */
static __always_inline __u32 path_off(__u32 off) {
  asm volatile("%[off] &= 255" : [off] "+r"(off));
  return off;
}

static __always_inline struct castellan_scratch *scratch_get(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&scratch, &zero);
}

struct walk_state {
  struct dentry *dentry;
  struct vfsmount *vfsmnt;
  struct mount *mnt;
  struct dentry *root_dentry;
  struct vfsmount *root_mnt;
  int n;      /* components collected */
  int status; /* 0 walking, 1 done, -1 too deep */
};

/* One step up the tree; bpf_loop keeps the verifier's work independent of the depth. */
static long walk_step(__u32 index, void *ctx) {
  struct walk_state *w = ctx;
  struct dentry *dentry = w->dentry;
  struct vfsmount *vfsmnt = w->vfsmnt;
  struct mount *mnt = w->mnt;
  if (dentry == w->root_dentry && vfsmnt == w->root_mnt) {
    w->status = 1;
    return 1;
  }
  struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
  struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
  if (dentry == mnt_root || dentry == parent) {
    struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
    if (dentry != mnt_root || mnt == mnt_parent) {
      w->status = 1; /* the namespace's root */
      return 1;
    }
    w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
    w->mnt = mnt_parent;
    w->vfsmnt = &mnt_parent->mnt;
    return 0;
  }
  struct castellan_scratch *s = scratch_get();
  if (!s || w->n >= CASTELLAN_PATH_DEPTH) {
    w->status = -1;
    return 1;
  }
  s->names[w->n & (CASTELLAN_PATH_DEPTH - 1)] = BPF_CORE_READ(dentry, d_name.name);
  w->n++;
  w->dentry = parent;
  return 0;
}

struct write_state {
  int n;      /* components to write, root-most last in names */
  __u32 off;  /* bytes written */
  int status; /* 0 ok, -1 too long */
};

static long write_step(__u32 index, void *ctx) {
  struct write_state *w = ctx;
  struct castellan_scratch *s = scratch_get();
  if (!s || (int)index >= w->n)
    return 1;
  if (w->off >= CASTELLAN_PATH_MAX - 2) {
    w->status = -1;
    return 1;
  }
  s->key.data[path_off(w->off)] = '/';
  w->off++;
  const unsigned char *name = s->names[(w->n - 1 - index) & (CASTELLAN_PATH_DEPTH - 1)];
  long len = bpf_probe_read_kernel_str(&s->key.data[path_off(w->off)], CASTELLAN_PATH_MAX, name);
  if (len <= 0) {
    w->status = -1;
    return 1;
  }
  w->off += len - 1;
  return 0;
}

/* Writes the absolute path of `path` into s->key.data; returns its length without NUL, or -1. */
static __always_inline int write_base(struct castellan_scratch *s, const struct path *path,
                                      const struct path *root) {
  struct walk_state walk = {};
  walk.dentry = BPF_CORE_READ(path, dentry);
  walk.vfsmnt = BPF_CORE_READ(path, mnt);
  walk.mnt = (struct mount *)((void *)walk.vfsmnt - bpf_core_field_offset(struct mount, mnt));
  walk.root_dentry = BPF_CORE_READ(root, dentry);
  walk.root_mnt = BPF_CORE_READ(root, mnt);
  bpf_loop(CASTELLAN_PATH_DEPTH + 8, walk_step, &walk, 0);
  if (walk.status != 1)
    return -1;
  struct write_state write = {.n = walk.n};
  bpf_loop(CASTELLAN_PATH_DEPTH, write_step, &write, 0);
  if (write.status < 0)
    return -1;
  __u32 off = write.off;
  if (off == 0) {
    s->key.data[0] = '/';
    s->key.data[1] = 0;
    off = 1;
  }
  if (off >= CASTELLAN_PATH_MAX)
    return -1;
  return off;
}

static __always_inline const struct path *fd_path(struct task_struct *task, int fd) {
  struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
  unsigned int max_fds = BPF_CORE_READ(fdt, max_fds);
  if (fd < 0 || (unsigned int)fd >= max_fds)
    return 0;
  struct file **fds = BPF_CORE_READ(fdt, fd);
  struct file *file = 0;
  bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
  if (!file)
    return 0;
  return &file->f_path;
}

/* Resolves `name` (user memory) against dirfd into s->key.data, NUL-terminated.
 * Returns the length with NUL; sets *truncated when the bound cut it. */
static __always_inline int resolve_path(struct castellan_scratch *s, int dirfd, const char *name,
                                        bool *truncated) {
  long len = bpf_probe_read_user_str(s->key.data, CASTELLAN_PATH_MAX, name);
  if (len <= 0)
    return -1;
  if (s->key.data[0] == '/') {
    if (len == CASTELLAN_PATH_MAX) {
      char next = 0;
      bpf_probe_read_user(&next, 1, name + CASTELLAN_PATH_MAX - 1);
      *truncated = next != 0;
    }
    return len;
  }
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct fs_struct *fs = BPF_CORE_READ(task, fs);
  struct path *root = &fs->root;
  const struct path *base = dirfd == AT_FDCWD ? &fs->pwd : fd_path(task, dirfd);
  if (!base)
    return -1;
  int off = write_base(s, base, root);
  if (off < 0) {
    *truncated = true;
    return -1;
  }
  if (off > 1) {
    s->key.data[path_off(off)] = '/';
    off++;
  }
  len = bpf_probe_read_user_str(&s->key.data[path_off(off)], CASTELLAN_PATH_MAX, name);
  if (len <= 0)
    return -1;
  long total = off + len;
  if (total > CASTELLAN_PATH_MAX) {
    s->key.data[PATH_MASK] = 0;
    *truncated = true;
    return CASTELLAN_PATH_MAX;
  }
  return total;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

/* High bit set in each byte of w that equals c (exact, no false positives). */
static __always_inline __u64 bytes_equal(__u64 w, __u8 c) {
  __u64 x = w ^ (ONES * c);
  __u64 t = (x & ~HIGHS) + ~HIGHS;
  return ~(t | x | ~HIGHS);
}

/* True when the path may have a "." or ".." component ("/." somewhere), so a prefix match on
 * it proves nothing; user space then decides on the normalised path. Word at a time: this
 * runs for every in-scope write open. */
static __always_inline bool has_dot_component(struct castellan_scratch *s) {
  /* key.data sits at offset 4 of an 8-aligned value: one 4-byte head, then aligned words. */
  __u64 w = (__u64)(*(__u32 *)&s->key.data[0]) | 0x0101010100000000ULL;
  __u64 carry = 0; /* a '/' in the last byte of the previous word */
  for (int i = 0; i < CASTELLAN_PATH_MAX / 8; i++) {
    __u64 slash = bytes_equal(w, '/');
    __u64 dot = bytes_equal(w, '.');
    __u64 zero = bytes_equal(w, 0);
    __u64 valid = zero ? zero ^ (zero - 1) : ~0ULL; /* bytes up to the first NUL */
    if (((slash << 8) | carry) & dot & valid)
      return true;
    if (zero)
      return false;
    carry = i == 0 ? (slash >> 24) & 0x80 : slash >> 56;
    w = *(__u64 *)&s->key.data[4 + i * 8];
  }
  return false;
}

#endif
