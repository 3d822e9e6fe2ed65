#include "sensor/rule_evaluator.h"

#include <algorithm>

#include "sensor/path_prefix.h"

namespace castellan::sensor {
namespace {

constexpr size_t kCommMax = 15;  // a comm this long may have been cut short

bool exec_matches(const CompiledRule& rule, const EventHeader& header, const ExecEvent& exec) {
  std::string_view base = base_name(exec.exe);
  return std::any_of(rule.exec_names.begin(), rule.exec_names.end(), [&](const std::string& n) {
    return n == base || (n.size() < kCommMax && n == header.comm);
  });
}

bool file_matches(const CompiledRule& rule, const std::string& normalized) {
  return std::any_of(rule.path_prefixes.begin(), rule.path_prefixes.end(),
                     [&](const std::string& prefix) { return path_has_prefix(normalized, prefix); });
}

bool connect_matches(const CompiledRule& rule, const ConnectEvent& connect) {
  bool port_excepted = std::find(rule.except_ports.begin(), rule.except_ports.end(),
                                 connect.port) != rule.except_ports.end();
  bool addr_excepted =
      std::any_of(rule.except_cidrs.begin(), rule.except_cidrs.end(), [&](const Cidr& cidr) {
        return cidr.contains_address(connect.family, connect.addr.data());
      });
  return !port_excepted && !addr_excepted;
}

}  // namespace

std::vector<const CompiledRule*> evaluate(const Event& event, const CompiledRuleset& ruleset) {
  std::vector<const CompiledRule*> matched;
  std::string normalized;
  if (const auto* file = std::get_if<FileOpenEvent>(&event.body)) {
    normalized = normalize_path(file->path);
  }
  for (const auto& rule : ruleset.rules) {
    if (!(event.header.rule_mask & (uint64_t{1} << rule.index))) continue;
    bool hit = false;
    if (const auto* exec = std::get_if<ExecEvent>(&event.body)) {
      hit = rule.kind == RuleKind::Exec && exec_matches(rule, event.header, *exec);
    } else if (std::holds_alternative<FileOpenEvent>(event.body)) {
      hit = rule.kind == RuleKind::FileWrite && file_matches(rule, normalized);
    } else if (const auto* connect = std::get_if<ConnectEvent>(&event.body)) {
      hit = rule.kind == RuleKind::Connect && connect_matches(rule, *connect);
    }
    if (hit) matched.push_back(&rule);
  }
  return matched;
}

}  // namespace castellan::sensor
