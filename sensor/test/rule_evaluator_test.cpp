#include "sensor/rule_evaluator.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "sensor/ruleset_compiler.h"

namespace castellan::sensor {
namespace {

CompiledRuleset ruleset() {
  api::SecurityPolicy p;
  p.metadata.name = "p";
  api::RuntimeRule shell;
  shell.name = "shell";
  shell.exec = api::ExecMatch{{"sh", "a-very-long-program-name"}};
  api::RuntimeRule etc;
  etc.name = "etc";
  etc.fileWrite = api::FileWriteMatch{{"/etc"}};
  api::RuntimeRule egress;
  egress.name = "egress";
  egress.connect = api::ConnectMatch{{"10.0.0.0/8"}, {53}};
  p.spec.runtime.rules = {shell, etc, egress};
  auto rs = compile_ruleset({p});
  EXPECT_TRUE(rs.ok());
  return *rs;
}

Event exec_event(const std::string& comm, const std::string& exe) {
  Event e{EventHeader{}, ExecEvent{exe, {exe}}};
  e.header.comm = comm;
  e.header.rule_mask = 1;
  return e;
}

Event file_event(const std::string& path) {
  Event e{EventHeader{}, FileOpenEvent{path, 01, -100}};
  e.header.rule_mask = 2;
  return e;
}

Event connect_event(const char* addr, uint16_t port) {
  ConnectEvent c;
  if (inet_pton(AF_INET, addr, c.addr.data()) != 1) {
    c.family = 6;
    inet_pton(AF_INET6, addr, c.addr.data());
  }
  c.port = port;
  Event e{EventHeader{}, c};
  e.header.rule_mask = 4;
  return e;
}

std::vector<std::string> names(const std::vector<const CompiledRule*>& rules) {
  std::vector<std::string> out;
  for (const auto* r : rules) out.push_back(r->name);
  return out;
}

using Names = std::vector<std::string>;

// Verifies that exec rules match the executable's base name, including names longer than comm.
TEST(RuleEvaluator, ExecMatchesBaseNameBeyondComm) {
  auto rs = ruleset();
  EXPECT_EQ(names(evaluate(exec_event("sh", "/bin/sh"), rs)), Names{"shell"});
  EXPECT_EQ(names(evaluate(exec_event("a-very-long-pro", "/opt/a-very-long-program-name"), rs)),
            Names{"shell"});
  EXPECT_TRUE(evaluate(exec_event("a-very-long-pro", "/opt/a-very-long-program-other"), rs).empty());
}

// Verifies that paths are normalised before the prefix check, so ".." cannot hide a write.
TEST(RuleEvaluator, FileWriteNormalisesDotComponents) {
  auto rs = ruleset();
  EXPECT_EQ(names(evaluate(file_event("/etc/passwd"), rs)), Names{"etc"});
  EXPECT_EQ(names(evaluate(file_event("/tmp/../etc/passwd"), rs)), Names{"etc"});
  EXPECT_TRUE(evaluate(file_event("/etc/../tmp/x"), rs).empty());
  EXPECT_TRUE(evaluate(file_event("/etcetera"), rs).empty());
}

// Verifies that connect exceptions by CIDR (also IPv4-mapped IPv6) and by port hold.
TEST(RuleEvaluator, ConnectHonoursExceptions) {
  auto rs = ruleset();
  EXPECT_EQ(names(evaluate(connect_event("127.0.0.1", 8080), rs)), Names{"egress"});
  EXPECT_TRUE(evaluate(connect_event("127.0.0.1", 53), rs).empty());
  EXPECT_TRUE(evaluate(connect_event("10.2.3.4", 443), rs).empty());
  EXPECT_TRUE(evaluate(connect_event("::ffff:10.2.3.4", 443), rs).empty());
  EXPECT_EQ(names(evaluate(connect_event("2001:db8::1", 443), rs)), Names{"egress"});
}

// Verifies that only the rules the kernel named as candidates are considered.
TEST(RuleEvaluator, OnlyKernelCandidatesAreChecked) {
  auto rs = ruleset();
  auto e = file_event("/etc/passwd");
  e.header.rule_mask = 1;  // an exec rule's bit: not a candidate for a file event
  EXPECT_TRUE(evaluate(e, rs).empty());
}

}  // namespace
}  // namespace castellan::sensor
