#include "sensor/ruleset_compiler.h"

#include <algorithm>
#include <set>

#include "sensor/abi/kernel_types.h"
#include "sensor/path_prefix.h"

namespace castellan::sensor {
namespace {

constexpr size_t kCommMax = CASTELLAN_COMM_LEN - 1;
constexpr size_t kPathMax = CASTELLAN_PATH_MAX - 1;

CommKey comm_key(const std::string& name) {
  CommKey key{};
  std::copy_n(name.begin(), std::min(name.size(), kCommMax), key.begin());
  return key;
}

void add_exec(const CompiledRule& rule, CompiledRuleset& out, std::vector<std::string>& errors) {
  if (rule.exec_names.empty()) errors.push_back("exec.names must not be empty");
  uint64_t bit = uint64_t{1} << rule.index;
  for (const auto& name : rule.exec_names) {
    if (name.empty() || name.find('/') != std::string::npos) {
      errors.push_back("exec name \"" + name + "\" must be a non-empty base name without '/'");
      continue;
    }
    auto& entry = out.exec_names[comm_key(name)];
    entry.rule_mask |= bit;
    if (name.size() >= kCommMax) {
      out.warnings.push_back(rule.policy + "/" + rule.name + ": exec name \"" + name +
                             "\" has 15 characters or more; the kernel matches its first 15" +
                             (rule.action == api::RuntimeAction::Kill
                                  ? " and cannot kill it, so it is only alerted"
                                  : ""));
    } else if (rule.action == api::RuntimeAction::Kill) {
      entry.kill_mask |= bit;
    }
  }
}

void add_paths(CompiledRule& rule, std::vector<std::string>& errors) {
  if (rule.path_prefixes.empty()) errors.push_back("fileWrite.pathPrefixes must not be empty");
  for (auto& prefix : rule.path_prefixes) {
    if (prefix.empty() || prefix[0] != '/') {
      errors.push_back("path prefix \"" + prefix + "\" must be absolute");
      continue;
    }
    prefix = normalize_path(prefix);
    if (prefix.size() + 1 > kPathMax) {
      errors.push_back("path prefix \"" + prefix.substr(0, 32) + "...\" is longer than " +
                       std::to_string(kPathMax - 1) + " bytes");
    }
  }
}

// LPM entries: "/etc/" covers everything below, "/etc\0" the directory itself.
void build_path_entries(CompiledRuleset& out) {
  std::set<std::string> entries;
  for (const auto& rule : out.rules) {
    for (const auto& prefix : rule.path_prefixes) {
      if (prefix == "/") {
        entries.insert("/");
      } else {
        entries.insert(prefix + "/");
        entries.insert(prefix + std::string(1, '\0'));
      }
    }
  }
  for (const auto& bytes : entries) {
    std::string as_path = bytes.back() == '\0' ? bytes.substr(0, bytes.size() - 1) : bytes;
    PathEntry entry{bytes, static_cast<uint32_t>(bytes.size() * 8), 0};
    for (const auto& rule : out.rules) {
      for (const auto& prefix : rule.path_prefixes) {
        if (path_has_prefix(as_path, prefix) || as_path == prefix + "/") {
          entry.rule_mask |= uint64_t{1} << rule.index;
        }
      }
    }
    out.path_entries.push_back(std::move(entry));
  }
}

void add_connect(CompiledRule& rule, const api::ConnectMatch& match,
                 std::vector<std::string>& errors) {
  for (const auto& text : match.exceptCIDRs) {
    auto cidr = Cidr::parse(text);
    if (!cidr.ok()) {
      errors.push_back(cidr.error().message);
      continue;
    }
    rule.except_cidrs.push_back(*cidr);
  }
  rule.except_ports = match.exceptPorts;
}

// A longest-prefix match returns one entry, so each entry carries the rules of every
// network that contains it.
void build_cidr_entries(CompiledRuleset& out) {
  std::vector<std::pair<Cidr, uint64_t>> v4, v6;
  for (const auto& rule : out.rules) {
    for (const auto& cidr : rule.except_cidrs) {
      uint64_t bit = uint64_t{1} << rule.index;
      if (cidr.family == 4) v4.emplace_back(cidr, bit);
      v6.emplace_back(cidr.as_ipv6(), bit);
    }
    for (auto port : rule.except_ports) out.except_ports[port] |= uint64_t{1} << rule.index;
  }
  auto build = [](const std::vector<std::pair<Cidr, uint64_t>>& networks) {
    std::vector<CidrEntry> entries;
    for (const auto& [cidr, unused] : networks) {
      auto same = [&](const CidrEntry& e) {
        return e.cidr.prefix_len == cidr.prefix_len && e.cidr.addr == cidr.addr;
      };
      if (std::any_of(entries.begin(), entries.end(), same)) continue;
      CidrEntry entry{cidr, 0};
      for (const auto& [outer, bit] : networks) {
        if (outer.contains(cidr)) entry.rule_mask |= bit;
      }
      entries.push_back(entry);
    }
    return entries;
  };
  out.cidr_v4 = build(v4);
  out.cidr_v6 = build(v6);
}

}  // namespace

Result<CompiledRuleset> compile_ruleset(const std::vector<api::SecurityPolicy>& policies) {
  CompiledRuleset out;
  std::vector<std::string> all_errors;
  for (const auto& policy : policies) {
    for (const auto& rule : policy.spec.runtime.rules) {
      std::vector<std::string> errors;
      CompiledRule compiled;
      compiled.index = static_cast<uint32_t>(out.rules.size());
      compiled.policy = policy.metadata.name;
      compiled.name = rule.name;
      compiled.action = rule.action;
      int kinds = rule.exec.has_value() + rule.fileWrite.has_value() + rule.connect.has_value();
      if (kinds != 1) errors.push_back("exactly one of exec, fileWrite, connect must be set");
      if (rule.action == api::RuntimeAction::Kill && !rule.exec) {
        errors.push_back("action Kill applies only to exec rules");
      }
      if (compiled.index >= CASTELLAN_MAX_RULES) {
        errors.push_back("more than " + std::to_string(CASTELLAN_MAX_RULES) +
                         " runtime rules are loaded");
      }
      if (errors.empty()) {
        if (rule.exec) {
          compiled.kind = RuleKind::Exec;
          compiled.exec_names = rule.exec->names;
          add_exec(compiled, out, errors);
        } else if (rule.fileWrite) {
          compiled.kind = RuleKind::FileWrite;
          compiled.path_prefixes = rule.fileWrite->pathPrefixes;
          add_paths(compiled, errors);
        } else {
          compiled.kind = RuleKind::Connect;
          add_connect(compiled, *rule.connect, errors);
        }
      }
      for (const auto& e : errors) {
        all_errors.push_back(policy.metadata.name + "/" + rule.name + ": " + e);
      }
      if (!errors.empty()) continue;
      uint64_t bit = uint64_t{1} << compiled.index;
      (compiled.kind == RuleKind::Exec       ? out.exec_rules
       : compiled.kind == RuleKind::FileWrite ? out.file_rules
                                              : out.connect_rules) |= bit;
      out.rules.push_back(std::move(compiled));
    }
  }
  if (!all_errors.empty()) {
    std::string message;
    for (const auto& e : all_errors) message += (message.empty() ? "" : "\n") + e;
    return Error::make(message, "Invalid");
  }
  build_path_entries(out);
  build_cidr_entries(out);
  return out;
}

}  // namespace castellan::sensor
