#include "sensor/event_processor.h"

#include <gtest/gtest.h>

#include <cstring>

#include "sensor/abi/kernel_types.h"
#include "sensor/ruleset_compiler.h"

namespace castellan::sensor {
namespace {

CompiledRuleset ruleset() {
  api::SecurityPolicy p;
  p.metadata.name = "p";
  api::RuntimeRule shell;
  shell.name = "shell";
  shell.exec = api::ExecMatch{{"sh"}};
  shell.action = api::RuntimeAction::Kill;
  api::RuntimeRule etc;
  etc.name = "etc";
  etc.fileWrite = api::FileWriteMatch{{"/etc"}};
  p.spec.runtime.rules = {shell, etc};
  return *compile_ruleset({p});
}

template <typename T>
std::span<const std::byte> bytes(const T& record, size_t size = sizeof(T)) {
  return {reinterpret_cast<const std::byte*>(&record), size};
}

castellan_exec_event exec_record() {
  castellan_exec_event e{};
  e.hdr.type = CASTELLAN_EVENT_EXEC;
  e.hdr.size = sizeof(e);
  e.hdr.pid = 42;
  e.hdr.ppid = 1;
  e.hdr.cgroup_id = 7;
  e.hdr.rule_mask = 1;
  e.hdr.flags = CASTELLAN_FLAG_KILLED;
  std::strcpy(e.hdr.comm, "sh");
  std::strcpy(e.exe, "/bin/sh");
  e.exe_len = 8;
  const char args[] = "sh\0-c\0id";
  std::memcpy(e.args, args, sizeof(args));
  e.args_len = sizeof(args);
  return e;
}

EventProcessor processor() {
  ProcessorOptions options;
  options.node = "n1";
  options.process_capacity = 2;
  options.cgroup_path = [](uint64_t id) { return "/cg/" + std::to_string(id); };
  return EventProcessor(ruleset(), options);
}

// Verifies that an exec record becomes a Kill alert with pid, exe, args and cgroup path.
TEST(EventProcessor, ExecRecordBecomesAlert) {
  auto p = processor();
  std::vector<Alert> alerts;
  auto rec = exec_record();
  p.process(bytes(rec), alerts);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule, "shell");
  EXPECT_EQ(alerts[0].action, "Kill");
  EXPECT_EQ(alerts[0].node, "n1");
  EXPECT_EQ(alerts[0].process.pid, 42u);
  EXPECT_EQ(alerts[0].process.exe, "/bin/sh");
  EXPECT_EQ(alerts[0].process.args, (std::vector<std::string>{"sh", "-c", "id"}));
  EXPECT_EQ(alerts[0].cgroup_path, "/cg/7");
  EXPECT_EQ(p.stats().killed, 1u);
}

// Verifies that a container table entry for the cgroup puts container and pod into the alert.
TEST(EventProcessor, KnownContainerNamesThePod) {
  ProcessorOptions options;
  options.containers = std::make_shared<ContainerTable>(8);
  options.containers->put(7, ContainerInfo{"abc", "prod", "web", "uid-1", "nginx"});
  EventProcessor p(ruleset(), options);
  std::vector<Alert> alerts;
  auto rec = exec_record();
  p.process(bytes(rec), alerts);
  ASSERT_EQ(alerts.size(), 1u);
  ASSERT_TRUE(alerts[0].pod.has_value());
  EXPECT_EQ(alerts[0].pod->namespace_, "prod");
  EXPECT_EQ(alerts[0].pod->name, "web");
  EXPECT_EQ(alerts[0].container_id, "abc");
  EXPECT_EQ(alerts[0].container_name, "nginx");
}

// Verifies that truncated, unknown and inconsistent records are counted as decode errors.
TEST(EventProcessor, BadRecordsAreCountedNotFatal) {
  auto p = processor();
  std::vector<Alert> alerts;
  auto rec = exec_record();
  p.process(bytes(rec, 10), alerts);
  p.process(bytes(rec, sizeof(castellan_event_header) + 4), alerts);
  rec.hdr.type = 99;
  p.process(bytes(rec), alerts);
  EXPECT_TRUE(alerts.empty());
  EXPECT_EQ(p.stats().decode_errors, 3u);
  EXPECT_NE(p.last_error().find("unknown event type 99"), std::string::npos);
}

// Verifies that a write under a prefix alerts with the normalised path and its flags.
TEST(EventProcessor, FileRecordCarriesPathAndFlags) {
  auto p = processor();
  castellan_file_open_event e{};
  e.hdr.type = CASTELLAN_EVENT_FILE_OPEN;
  e.hdr.size = sizeof(e);
  e.hdr.rule_mask = 2;
  e.hdr.flags = CASTELLAN_FLAG_NEEDS_CHECK;
  std::strcpy(e.path, "/tmp/../etc/shadow");
  e.path_len = 19;
  e.open_flags = 01 | 0100;
  std::vector<Alert> alerts;
  p.process(bytes(e), alerts);
  ASSERT_EQ(alerts.size(), 1u);
  ASSERT_TRUE(alerts[0].file.has_value());
  EXPECT_EQ(alerts[0].file->path, "/etc/shadow");
  EXPECT_EQ(alerts[0].file->flags, (std::vector<std::string>{"O_WRONLY", "O_CREAT"}));
  EXPECT_FALSE(alerts[0].connect.has_value());
}

// Verifies that the process table stays within its capacity and forgets exited processes.
TEST(EventProcessor, ProcessTableIsBounded) {
  auto p = processor();
  std::vector<Alert> alerts;
  for (uint32_t pid = 100; pid < 110; ++pid) {
    auto rec = exec_record();
    rec.hdr.pid = pid;
    p.process(bytes(rec), alerts);
  }
  EXPECT_EQ(p.processes_tracked(), 2u);
  castellan_exit_event exit{};
  exit.hdr.type = CASTELLAN_EVENT_EXIT;
  exit.hdr.size = sizeof(exit);
  exit.hdr.pid = 109;
  p.process(bytes(exit), alerts);
  EXPECT_EQ(p.processes_tracked(), 1u);
}

}  // namespace
}  // namespace castellan::sensor
