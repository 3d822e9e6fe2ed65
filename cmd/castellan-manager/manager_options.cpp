#include "manager_options.h"

#include <charconv>
#include <functional>
#include <map>

namespace castellan::manager {

const char* const kHelp = R"(castellan-manager: Castellan's admission webhook server (and, later, its controller).

Usage:
  castellan-manager --standalone --policies DIR [--webhook-port PORT]
                    [--tls-cert FILE --tls-key FILE] [--threads N] [flags]

Standalone mode serves the admission webhook for the SecurityPolicies in DIR with no
cluster: POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics, all over
HTTPS. Namespace objects in DIR supply the labels for namespaceSelector. DIR is reloaded
when a file in it changes; an invalid edit is reported and the previous policies keep
serving.

Flags:
  --standalone              Serve the policies of --policies with no cluster (required for now)
  --policies DIR            Directory of SecurityPolicy (and Namespace) manifests, *.yaml,
                            *.yml, *.json, searched recursively
  --webhook-port PORT       HTTPS port (default 9443; 0 picks a free port, printed at startup)
  --bind-address ADDR       Address to listen on (default 0.0.0.0)
  --tls-cert FILE           Serving certificate chain, PEM; reloaded when the file changes
  --tls-key FILE            Its private key, PEM (give both or neither)
  --cert-dir DIR            Without --tls-cert: where the generated self-signed ECDSA P-256
                            certificate (SANs IP:127.0.0.1, DNS:localhost) is written
                            (default $TMPDIR/castellan-webhook-<port>, or /tmp/...)
  --threads N               I/O threads (default 2)
  --max-connections N       Connections served at once; more are closed at once (default 1024)
  --reload-interval-ms MS   How often DIR and the certificate files are checked (default 1000)
  --drain-timeout S         On SIGTERM, seconds to let requests in flight finish (default 25)
  --log-level LEVEL         debug, info, warn or error (default info)
  --log-format FORMAT       json (default) or text
  -h, --help                Print this help

Output:
  stdout: one line per startup fact a script needs ("serving https://ADDR:PORT",
          "certificate FILE" when one was generated); logs are JSON lines on stderr.

Exit codes:
  0  stopped by SIGTERM or SIGINT after draining
  1  could not start: bad policies, certificate, or port in use
  2  bad flags
)";

namespace {

Result<int> parse_int(const std::string& flag, const std::string& value, int min, int max) {
  int out = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || ptr != value.data() + value.size() || out < min || out > max) {
    return Error::make(flag + " must be a whole number from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got \"" + value + "\"");
  }
  return out;
}

}  // namespace

Result<ManagerOptions> parse_manager_options(const std::vector<std::string>& args) {
  ManagerOptions o;
  using Setter = std::function<Status(const std::string&, const std::string&)>;
  auto text = [](std::string* target) -> Setter {
    return [target](const std::string& flag, const std::string& v) -> Status {
      if (v.empty()) return Error::make(flag + " needs a non-empty value");
      *target = v;
      return Status::Ok();
    };
  };
  auto number = [](int* target, int min, int max) -> Setter {
    return [=](const std::string& flag, const std::string& v) -> Status {
      auto n = parse_int(flag, v, min, max);
      if (!n.ok()) return n.error();
      *target = *n;
      return Status::Ok();
    };
  };
  const std::map<std::string, Setter> valued = {
      {"--policies", text(&o.policies_dir)},
      {"--bind-address", text(&o.bind_address)},
      {"--webhook-port", number(&o.webhook_port, 0, 65535)},
      {"--tls-cert", text(&o.tls_cert)},
      {"--tls-key", text(&o.tls_key)},
      {"--cert-dir", text(&o.cert_dir)},
      {"--threads", number(&o.threads, 1, 256)},
      {"--max-connections", number(&o.max_connections, 1, 1000000)},
      {"--reload-interval-ms", number(&o.reload_interval_ms, 10, 3600000)},
      {"--drain-timeout", number(&o.drain_timeout_s, 0, 3600)},
      {"--log-level",
       [&o](const std::string& flag, const std::string& v) -> Status {
         if (v != "debug" && v != "info" && v != "warn" && v != "error") {
           return Error::make(flag + " must be debug, info, warn or error, got \"" + v + "\"");
         }
         o.log_level = v;
         return Status::Ok();
       }},
      {"--log-format",
       [&o](const std::string& flag, const std::string& v) -> Status {
         if (v != "json" && v != "text") {
           return Error::make(flag + " must be json or text, got \"" + v + "\"");
         }
         o.log_json = v == "json";
         return Status::Ok();
       }},
  };

  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "-h" || arg == "--help") {
      o.help = true;
      return o;
    }
    if (arg == "--standalone") {
      o.standalone = true;
      continue;
    }
    std::string value;
    bool inline_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    auto it = valued.find(arg);
    if (it == valued.end()) return Error::make("unknown flag " + arg);
    if (!inline_value) {
      if (i + 1 >= args.size()) return Error::make(arg + " needs a value");
      value = args[++i];
    }
    if (auto s = it->second(arg, value); !s.ok()) return s.error();
  }

  if (!o.standalone) {
    return Error::make(
        "only --standalone mode is available in this version; give --standalone --policies DIR");
  }
  if (o.policies_dir.empty()) return Error::make("--standalone needs --policies DIR");
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Error::make("--tls-cert and --tls-key go together; give both or neither");
  }
  return o;
}

}  // namespace castellan::manager
