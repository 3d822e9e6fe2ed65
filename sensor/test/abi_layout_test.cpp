// Checks sensor/abi/sensor_abi.h as user space compiles it against the BTF of the compiled
// BPF object, so kernel and user space can never disagree on a record's layout.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "sensor/abi/kernel_types.h"

namespace {

class AbiLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    btf_ = btf__parse_elf(CASTELLAN_SENSOR_BPF_OBJECT, nullptr);
    ASSERT_NE(btf_, nullptr) << "cannot read BTF from " << CASTELLAN_SENSOR_BPF_OBJECT;
  }
  void TearDown() override { btf__free(btf_); }

  const btf_type* find_struct(const char* name) {
    int id = btf__find_by_name_kind(btf_, name, BTF_KIND_STRUCT);
    return id > 0 ? btf__type_by_id(btf_, id) : nullptr;
  }

  // Byte offset of `member` in BTF, or -1 when the member is missing.
  long offset_of(const btf_type* t, const char* member) {
    const btf_member* m = btf_members(t);
    for (int i = 0; i < btf_vlen(t); ++i, ++m) {
      if (std::string(btf__name_by_offset(btf_, m->name_off)) == member) {
        return btf_member_bit_offset(t, i) / 8;
      }
    }
    return -1;
  }

  void expect_struct(const char* name, size_t size, std::initializer_list<std::pair<const char*, size_t>> fields) {
    const btf_type* t = find_struct(name);
    ASSERT_NE(t, nullptr) << "struct " << name << " is not in the BPF object's BTF";
    EXPECT_EQ(t->size, size) << "sizeof(struct " << name << ")";
    EXPECT_EQ(static_cast<size_t>(btf_vlen(t)), fields.size())
        << "struct " << name << " has a different number of fields in the kernel";
    for (const auto& [field, offset] : fields) {
      EXPECT_EQ(offset_of(t, field), static_cast<long>(offset)) << name << "." << field;
    }
  }

  struct btf* btf_ = nullptr;
};

#define F(type, field) {#field, offsetof(type, field)}

// Verifies that the common event header has the same layout on both sides.
TEST_F(AbiLayout, EventHeader) {
  using T = castellan_event_header;
  expect_struct("castellan_event_header", sizeof(T),
                {F(T, type), F(T, size), F(T, timestamp_ns), F(T, cgroup_id), F(T, rule_mask),
                 F(T, pid), F(T, tid), F(T, ppid), F(T, uid), F(T, flags), F(T, pad), F(T, comm)});
}

// Verifies that every event record has the same layout on both sides.
TEST_F(AbiLayout, EventRecords) {
  using E = castellan_exec_event;
  expect_struct("castellan_exec_event", sizeof(E),
                {F(E, hdr), F(E, exe_len), F(E, args_len), F(E, exe), F(E, args)});
  using O = castellan_file_open_event;
  expect_struct("castellan_file_open_event", sizeof(O),
                {F(O, hdr), F(O, open_flags), F(O, dirfd), F(O, path_len), F(O, path)});
  using C = castellan_connect_event;
  expect_struct("castellan_connect_event", sizeof(C),
                {F(C, hdr), F(C, family), F(C, port), F(C, pad), F(C, addr)});
  using X = castellan_exit_event;
  expect_struct("castellan_exit_event", sizeof(X), {F(X, hdr), F(X, exit_code), F(X, pad)});
}

// Verifies that map keys, values and the rule configuration match on both sides.
TEST_F(AbiLayout, MapsAndConfig) {
  using K = castellan_counters;
  expect_struct("castellan_counters", sizeof(K),
                {F(K, seen), F(K, filtered), F(K, submitted), F(K, dropped_ringbuf),
                 F(K, dropped_path), F(K, killed)});
  expect_struct("castellan_scope", sizeof(castellan_scope), {F(castellan_scope, rule_mask)});
  using N = castellan_exec_name;
  expect_struct("castellan_exec_name", sizeof(N), {F(N, rule_mask), F(N, kill_mask)});
  using P = castellan_path_key;
  expect_struct("castellan_path_key", sizeof(P), {F(P, prefixlen), F(P, data)});
  using C4 = castellan_cidr4_key;
  expect_struct("castellan_cidr4_key", sizeof(C4), {F(C4, prefixlen), F(C4, addr)});
  using C6 = castellan_cidr6_key;
  expect_struct("castellan_cidr6_key", sizeof(C6), {F(C6, prefixlen), F(C6, addr)});
  using R = castellan_rule_config;
  expect_struct("castellan_rule_config", sizeof(R),
                {F(R, exec_rules), F(R, file_rules), F(R, connect_rules), F(R, all_scope_mask),
                 F(R, scope_levels), F(R, sensor_tgid), F(R, pad)});
}

}  // namespace
