#pragma once
// CompiledRuleset: every runtime rule of the loaded policies, numbered, plus the contents of
// the kernel's filter maps. Plain data, built by compile_ruleset() and read by the loader and
// the evaluator.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "api/security_policy.h"
#include "sensor/cidr.h"

namespace castellan::sensor {

enum class RuleKind { Exec, FileWrite, Connect };

struct CompiledRule {
  uint32_t index = 0;  // bit in the kernel's rule masks
  std::string policy;
  std::string name;
  RuleKind kind = RuleKind::Exec;
  api::RuntimeAction action = api::RuntimeAction::Alert;
  std::vector<std::string> exec_names;
  std::vector<std::string> path_prefixes;  // normalized
  std::vector<Cidr> except_cidrs;
  std::vector<uint16_t> except_ports;
};

using CommKey = std::array<char, 16>;

struct ExecNameEntry {
  uint64_t rule_mask = 0;
  uint64_t kill_mask = 0;
};

// One LPM trie entry: prefix_len bits of bytes.
struct PathEntry {
  std::string bytes;
  uint32_t prefix_len = 0;
  uint64_t rule_mask = 0;  // every rule whose prefix covers this entry
};

struct CidrEntry {
  Cidr cidr;
  uint64_t rule_mask = 0;  // every rule excepting a network that contains this one
};

struct CompiledRuleset {
  std::vector<CompiledRule> rules;
  uint64_t exec_rules = 0;
  uint64_t file_rules = 0;
  uint64_t connect_rules = 0;
  std::map<CommKey, ExecNameEntry> exec_names;
  std::vector<PathEntry> path_entries;
  std::vector<CidrEntry> cidr_v4;
  std::vector<CidrEntry> cidr_v6;
  std::map<uint16_t, uint64_t> except_ports;
  std::vector<std::string> warnings;

  uint64_t all_rules() const { return exec_rules | file_rules | connect_rules; }
  bool empty() const { return rules.empty(); }
};

}  // namespace castellan::sensor
