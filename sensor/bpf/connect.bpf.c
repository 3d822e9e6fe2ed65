/* connect(fd, addr, addrlen): IPv4 and IPv6 destinations not excepted by a connect rule. */
#include "helpers.bpf.h"
#include <bpf/bpf_endian.h>

#define CASTELLAN_AF_INET 2
#define CASTELLAN_AF_INET6 10

SEC("tp/syscalls/sys_enter_connect")
int castellan_connect(struct trace_event_raw_sys_enter *ctx) {
  struct castellan_counters *c = counters_get();
  if (!c)
    return 0;
  c->seen++;
  __u64 mask = scope_mask() & rule_config.connect_rules;
  if (!mask) {
    c->filtered++;
    return 0;
  }
  /* sockaddr_in holds family, port and an IPv4 address; IPv6 needs the rest read too. */
  const void *uaddr = (const void *)ctx->args[1];
  struct sockaddr_in6 sa = {};
  if (bpf_probe_read_user(&sa, sizeof(struct sockaddr_in), uaddr) < 0) {
    c->filtered++;
    return 0;
  }
  __u16 family = sa.sin6_family;
  if (family != CASTELLAN_AF_INET && family != CASTELLAN_AF_INET6) {
    c->filtered++;
    return 0;
  }
  __u16 port = bpf_ntohs(sa.sin6_port);
  /* Ports first: a port excepted by every candidate rule needs no address lookup. */
  __u64 excepted = 0;
  __u64 *port_rules = bpf_map_lookup_elem(&except_ports, &port);
  if (port_rules)
    excepted |= *port_rules;
  if (!(mask & ~excepted)) {
    c->filtered++;
    return 0;
  }
  __u8 addr[16] = {};
  if (family == CASTELLAN_AF_INET) {
    struct castellan_cidr4_key key = {.prefixlen = 32};
    __builtin_memcpy(key.addr, &((struct sockaddr_in *)&sa)->sin_addr.s_addr, 4);
    __builtin_memcpy(addr, key.addr, 4);
    __u64 *rules = bpf_map_lookup_elem(&cidr_v4, &key);
    if (rules)
      excepted |= *rules;
  } else {
    bpf_probe_read_user(&sa, sizeof(sa), uaddr);
    struct castellan_cidr6_key key = {.prefixlen = 128};
    __builtin_memcpy(key.addr, &sa.sin6_addr, 16);
    __builtin_memcpy(addr, key.addr, 16);
    __u64 *rules = bpf_map_lookup_elem(&cidr_v6, &key);
    if (rules)
      excepted |= *rules;
  }
  __u64 hit = mask & ~excepted;
  if (!hit) {
    c->filtered++;
    return 0;
  }

  struct castellan_connect_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    c->dropped_ringbuf++;
    return 0;
  }
  e->family = family;
  e->port = port;
  e->pad = 0;
  __builtin_memcpy(e->addr, addr, 16);
  fill_header(&e->hdr, CASTELLAN_EVENT_CONNECT, sizeof(*e), hit, 0);
  track_pid(e->hdr.pid);
  submit(e, c);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
