// castellan-sensor: flags and wiring only; see sensor/.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "api/runtime_ruleset.h"
#include "common/log.h"
#include "kube/client_config.h"
#include "kube/event_recorder.h"
#include "kube/rest_client.h"
#include "sensor/cgroup.h"
#include "sensor/event_processor.h"
#include "sensor/json_lines_sink.h"
#include "sensor/kube_event_sink.h"
#include "sensor/node_agent.h"
#include "sensor/metrics.h"
#include "sensor/metrics_server.h"
#include "sensor/rules_file.h"
#include "sensor/ruleset_compiler.h"
#include "sensor/sensor.h"

namespace {

using namespace castellan;

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;  // could not load, attach or run
constexpr int kExitUsage = 2;    // bad flags or rules

const char* kUsage = R"(castellan-sensor: the Castellan per-node eBPF sensor

Usage:
  castellan-sensor --standalone --rules FILE [--cgroup PATH]... [--output json]
                   [--metrics-port N] [--node-name NAME] [--ringbuf-bytes N]
  castellan-sensor [--kubeconfig PATH] --node-name NAME [--namespace NS]
                   [--ruleset-configmap NAME] [--status-period SECONDS]
                   [--metrics-port N] [--ringbuf-bytes N]

Standalone mode applies the spec.runtime rules of the SecurityPolicy documents in FILE
and prints one JSON line per alert on stdout. Logs go to stderr; a line with
"ready":"true" is printed once the programs are attached. SIGTERM or SIGINT detach the
programs and print a summary of the counters.

Node mode (the default without --standalone) watches the runtime ruleset ConfigMap and
the Pods on its node, applies each policy's rules only to the containers of the Pods it
matches, writes alerts also as Events (reason RuntimeViolation) on the Pod, and keeps
the node's NodeSensor status current. In a pod, the service account and $NODE_NAME take
the place of --kubeconfig and --node-name.

Flags:
  --standalone         run without a cluster
  --rules FILE         YAML or JSON file with one or more SecurityPolicy documents
  --cgroup PATH        apply the rules only to this cgroup v2 subtree (absolute, or relative
                       to the cgroup2 mount); repeatable. Default: every process but the sensor
  --output json        alert format (json is the only one)
  --kubeconfig PATH    node mode: kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --namespace NS       node mode: the namespace of the ruleset ConfigMap, castellan-manager's
                       (default castellan-system); not the sensor's own. Events go to each
                       Pod's namespace, and NodeSensors are cluster-scoped
  --ruleset-configmap NAME
                       node mode: the ruleset ConfigMap (default castellan-runtime-ruleset)
  --status-period SECONDS
                       node mode: how often the NodeSensor status is written, its
                       heartbeatIntervalSeconds (1-3600, default 10)
  --metrics-port N     serve Prometheus counters at http://0.0.0.0:N/metrics (0: off)
  --node-name NAME     node name in alerts (default: $NODE_NAME, else the host name)
  --ringbuf-bytes N    ring buffer size, a power of two (default 8388608)
  --log-level LEVEL    debug | info | warn | error (default info)
  --help               show this help

Exit codes: 0 stopped by a signal, 1 the programs could not be loaded or run,
2 bad flags or rules.
)";

struct Flags {
  bool standalone = false;
  std::string rules;
  std::vector<std::string> cgroups;
  std::string output = "json";
  int metrics_port = 0;
  std::string node_name;
  std::string kubeconfig;
  std::string namespace_ = "castellan-system";
  std::string ruleset_configmap = castellan::api::kRulesetConfigMapName;
  int status_period_seconds = 10;
  bool status_period_set = false;
  uint32_t ringbuf_bytes = 8u << 20;
  std::string log_level = "info";
};

int usage_error(const std::string& message) {
  std::cerr << "castellan-sensor: " << message << "\nRun castellan-sensor --help for usage.\n";
  return kExitUsage;
}

bool parse_number(const std::string& text, long long min, long long max, long long& out) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0' || v < min || v > max) return false;
  out = v;
  return true;
}

// Returns -1 to continue, else an exit code.
int parse_flags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto need_value = [&](std::string& out) {
      if (!value.empty()) {
        out = value;
        return true;
      }
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    long long n = 0;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return kExitOk;
    } else if (arg == "--standalone") {
      flags.standalone = true;
    } else if (arg == "--rules" || arg == "--cgroup" || arg == "--output" ||
               arg == "--metrics-port" || arg == "--node-name" || arg == "--kubeconfig" ||
               arg == "--ringbuf-bytes" || arg == "--log-level" || arg == "--namespace" ||
               arg == "--ruleset-configmap" || arg == "--status-period") {
      if (!need_value(v)) return usage_error(arg + " needs a value");
      if (arg == "--rules") flags.rules = v;
      if (arg == "--cgroup") flags.cgroups.push_back(v);
      if (arg == "--output") flags.output = v;
      if (arg == "--node-name") flags.node_name = v;
      if (arg == "--kubeconfig") flags.kubeconfig = v;
      if (arg == "--log-level") flags.log_level = v;
      if (arg == "--namespace") flags.namespace_ = v;
      if (arg == "--ruleset-configmap") flags.ruleset_configmap = v;
      if (arg == "--metrics-port") {
        if (!parse_number(v, 0, 65535, n)) return usage_error("--metrics-port must be 0-65535");
        flags.metrics_port = static_cast<int>(n);
      }
      if (arg == "--status-period") {
        if (!parse_number(v, 1, 3600, n))
          return usage_error("--status-period must be 1-3600 seconds");
        flags.status_period_seconds = static_cast<int>(n);
        flags.status_period_set = true;
      }
      if (arg == "--ringbuf-bytes") {
        if (!parse_number(v, 4096, 1LL << 30, n) || (n & (n - 1)) != 0) {
          return usage_error("--ringbuf-bytes must be a power of two from 4096 to 1073741824");
        }
        flags.ringbuf_bytes = static_cast<uint32_t>(n);
      }
    } else {
      return usage_error("unknown argument " + arg);
    }
  }
  if (!flags.kubeconfig.empty() && flags.standalone) {
    return usage_error("--kubeconfig (node mode) and --standalone exclude each other");
  }
  if (flags.standalone && flags.rules.empty()) return usage_error("--standalone needs --rules FILE");
  if (!flags.standalone && !flags.rules.empty()) {
    return usage_error("--rules is for --standalone; node mode reads the ruleset ConfigMap");
  }
  if (!flags.standalone && !flags.cgroups.empty()) {
    return usage_error("--cgroup is for --standalone; node mode scopes rules by Pod");
  }
  if (flags.standalone && flags.status_period_set) {
    return usage_error("--status-period is for node mode; --standalone writes no NodeSensor");
  }
  if (flags.output != "json") return usage_error("--output supports only json, not " + flags.output);
  if (flags.log_level == "debug") log::set_level(log::Level::Debug);
  else if (flags.log_level == "info") log::set_level(log::Level::Info);
  else if (flags.log_level == "warn") log::set_level(log::Level::Warn);
  else if (flags.log_level == "error") log::set_level(log::Level::Error);
  else return usage_error("--log-level must be debug, info, warn or error");
  if (flags.node_name.empty()) {
    const char* env = std::getenv("NODE_NAME");
    char host[256] = {};
    if (env && *env) flags.node_name = env;
    else if (!flags.standalone) return usage_error("node mode needs --node-name or $NODE_NAME");
    else flags.node_name = gethostname(host, sizeof(host) - 1) == 0 ? host : "";
  }
  return -1;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int run_node(const Flags& flags) {
  // Signals are taken by sigwait below, never by the watch, recorder or consumer threads.
  sigset_t signals = block_stop_signals();
  auto mount = sensor::find_cgroup2_mount();
  if (!mount.ok()) {
    log::error("Failed to find cgroup v2", {{"error", mount.error().message}});
    return kExitRuntime;
  }
  kube::LoadOptions load;
  load.kubeconfig = flags.kubeconfig;
  auto config = kube::load_client_config(load);
  if (!config.ok()) {
    log::error("Failed to load the Kubernetes client configuration", {{"error", config.error().message}});
    return kExitUsage;
  }
  auto client = kube::make_rest_client(*config);
  if (!client.ok()) {
    log::error("Failed to create the Kubernetes client", {{"error", client.error().message}});
    return kExitUsage;
  }
  kube::EventRecorderOptions recorder_options;
  recorder_options.component = "castellan-sensor";
  recorder_options.host = flags.node_name;
  kube::EventRecorder recorder(*client, recorder_options);

  static char stdout_buffer[1 << 20];
  std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));
  sensor::JsonLinesSink lines(stdout);
  sensor::KubeEventSink events(recorder);
  sensor::TeeSink sink(lines, events);

  sensor::NodeAgentOptions options;
  options.node_name = flags.node_name;
  options.namespace_ = flags.namespace_;
  options.ruleset_configmap = flags.ruleset_configmap;
  options.cgroup_mount = *mount;
  options.status_period = std::chrono::seconds(flags.status_period_seconds);
  options.program.ringbuf_bytes = flags.ringbuf_bytes;
  options.program.sensor_tgid = static_cast<uint32_t>(getpid());
  options.alerts_dropped = [&recorder] {
    auto stats = recorder.stats();
    return stats.dropped_rate_limited + stats.dropped_queue_full + stats.failed;
  };
  sensor::NodeAgent agent(*client, options, sink);
  if (auto st = agent.start(std::chrono::seconds(60)); !st.ok()) {
    log::error("Failed to watch the cluster", {{"error", st.error().message}});
    return kExitRuntime;
  }
  agent.run_in_background();

  sensor::MetricsServer metrics(
      [&agent] { return sensor::format_metrics(agent.stats(), agent.attached()); },
      [&agent] { return agent.not_ready_reason(); });
  if (flags.metrics_port > 0) {
    if (auto st = metrics.start(static_cast<uint16_t>(flags.metrics_port)); !st.ok()) {
      log::error("Failed to serve metrics", {{"error", st.error().message}});
      return kExitRuntime;
    }
  }
  log::info("Started node mode", {{"node", flags.node_name},
                                  {"configMap", flags.namespace_ + "/" + flags.ruleset_configmap}});
  int signal = 0;
  sigwait(&signals, &signal);
  agent.stop();
  metrics.stop();
  recorder.shutdown();
  auto recorded = recorder.stats();
  log::info("Stopped sensor", {{"signal", strsignal(signal)},
                               {"summary", sensor::format_summary(agent.stats())},
                               {"eventsCreated", std::to_string(recorded.created)},
                               {"eventsDropped", std::to_string(recorded.dropped_rate_limited +
                                                                recorded.dropped_queue_full +
                                                                recorded.failed)}});
  return kExitOk;
}

int run(const Flags& flags) {
  auto file = sensor::read_rules_file(flags.rules);
  if (!file.ok()) {
    log::error("Failed to read rules", {{"file", flags.rules}, {"error", file.error().message}});
    return kExitUsage;
  }
  for (const auto& w : file->warnings) log::warn("Skipped a document of the rules file", {{"warning", w}});
  auto ruleset = sensor::compile_ruleset(file->policies);
  if (!ruleset.ok()) {
    log::error("Failed to compile SecurityPolicy runtime rules", {{"file", flags.rules}, {"error", ruleset.error().message}});
    return kExitUsage;
  }
  for (const auto& w : ruleset->warnings) log::warn("Compiled a rule with a limitation", {{"warning", w}});
  if (ruleset->empty()) {
    log::error("Found no runtime rules in the SecurityPolicy documents", {{"file", flags.rules}});
    return kExitUsage;
  }

  auto mount = sensor::find_cgroup2_mount();
  if (!mount.ok()) {
    log::error("Failed to find cgroup v2", {{"error", mount.error().message}});
    return kExitRuntime;
  }
  sensor::Scope scope;
  scope.all = flags.cgroups.empty();
  for (const auto& path : flags.cgroups) {
    auto info = sensor::cgroup_info(*mount, path);
    if (!info.ok()) {
      log::error("Failed to resolve --cgroup", {{"cgroup", path}, {"error", info.error().message}});
      return kExitUsage;
    }
    scope.roots.push_back(*info);
  }

  // Signals are taken by sigwait below, never by the consumer or metrics threads.
  sigset_t signals = block_stop_signals();

  sensor::ProgramOptions options;
  options.ringbuf_bytes = flags.ringbuf_bytes;
  options.sensor_tgid = static_cast<uint32_t>(getpid());
  auto program = sensor::SensorProgram::load(*ruleset, scope, options);
  if (!program.ok()) {
    log::error("Failed to load the sensor's BPF programs", {{"error", program.error().message}});
    return kExitRuntime;
  }

  sensor::ProcessorOptions processor_options;
  processor_options.node = flags.node_name;
  processor_options.boot_to_unix_ns = sensor::EventProcessor::boot_to_unix_offset();
  std::string cgroup_mount = *mount;
  processor_options.cgroup_path = [cgroup_mount](uint64_t id) {
    return sensor::cgroup_path_of(cgroup_mount, id);
  };
  size_t rule_count = ruleset->rules.size();
  auto processor = std::make_unique<sensor::EventProcessor>(std::move(*ruleset), processor_options);

  static char stdout_buffer[1 << 20];
  std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));
  sensor::JsonLinesSink sink(stdout);
  sensor::Sensor sensor(std::move(*program), std::move(processor), sink);

  sensor::MetricsServer metrics([&sensor] { return sensor::format_metrics(sensor.stats(), sensor.attached()); });
  if (flags.metrics_port > 0) {
    if (auto st = metrics.start(static_cast<uint16_t>(flags.metrics_port)); !st.ok()) {
      log::error("Failed to serve metrics", {{"error", st.error().message}});
      return kExitRuntime;
    }
  }
  sensor.start();
  std::string scope_text = scope.all ? "all processes but the sensor" : join(flags.cgroups);
  log::info("Attached BPF programs",
            {{"ready", "true"}, {"programs", join(sensor.attached())},
             {"rules", std::to_string(rule_count)}, {"scope", scope_text},
             {"metricsPort", std::to_string(metrics.port())}});

  int signal = 0;
  sigwait(&signals, &signal);
  sensor.stop();
  metrics.stop();
  auto stats = sensor.stats();
  log::info("Stopped sensor", {{"signal", strsignal(signal)},
                               {"summary", sensor::format_summary(stats)}});
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (int code = parse_flags(argc, argv, flags); code >= 0) return code;
  if (geteuid() != 0) {
    std::cerr << "castellan-sensor: loading BPF programs needs root (or CAP_BPF, CAP_PERFMON "
                 "and CAP_SYS_RESOURCE); continuing in case capabilities are set\n";
  }
  return flags.standalone ? run(flags) : run_node(flags);
}
