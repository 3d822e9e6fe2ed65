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
  const void *uaddr = (const void *)ctx->args[1];
  __u16 family = 0;
  bpf_probe_read_user(&family, sizeof(family), uaddr);
  __u16 port_be = 0;
  __u8 addr[16] = {};
  __u64 excepted = 0;
  if (family == CASTELLAN_AF_INET) {
    struct sockaddr_in sin = {};
    bpf_probe_read_user(&sin, sizeof(sin), uaddr);
    port_be = sin.sin_port;
    struct castellan_cidr4_key key = {.prefixlen = 32};
    __builtin_memcpy(key.addr, &sin.sin_addr.s_addr, 4);
    __builtin_memcpy(addr, key.addr, 4);
    __u64 *rules = bpf_map_lookup_elem(&cidr_v4, &key);
    if (rules)
      excepted |= *rules;
  } else if (family == CASTELLAN_AF_INET6) {
    struct sockaddr_in6 sin6 = {};
    bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
    port_be = sin6.sin6_port;
    struct castellan_cidr6_key key = {.prefixlen = 128};
    __builtin_memcpy(key.addr, &sin6.sin6_addr, 16);
    __builtin_memcpy(addr, key.addr, 16);
    __u64 *rules = bpf_map_lookup_elem(&cidr_v6, &key);
    if (rules)
      excepted |= *rules;
  } else {
    c->filtered++;
    return 0;
  }
  __u16 port = bpf_ntohs(port_be);
  __u64 *port_rules = bpf_map_lookup_elem(&except_ports, &port);
  if (port_rules)
    excepted |= *port_rules;
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
  submit(e, c);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
