#include "manager_options.h"

#include <charconv>
#include <functional>
#include <map>

namespace castellan::manager {

const char* const kHelp = R"(castellan-manager: Castellan's admission webhook server and controller.

Usage:
  castellan-manager [--kubeconfig PATH] [--namespace NS] [--sensor-namespace NS]
                    [--webhook-port PORT] [--webhook-url-base https://127.0.0.1:PORT] [flags]
  castellan-manager --standalone --policies DIR [--webhook-port PORT]
                    [--tls-cert FILE --tls-key FILE] [--threads N] [flags]

Cluster mode (the default) watches SecurityPolicies and serves the admission webhook on
every replica; the leader (a Lease in NS) keeps the serving certificate (a Secret), the
Validating- and MutatingWebhookConfiguration, the runtime ruleset the sensors load (the
ConfigMap castellan-runtime-ruleset), and each policy's status and finalizer; it counts the
sensors' RuntimeViolation Events (ledger: ConfigMap castellan-runtime-ledger) and runs the
policies' spec.runtime.responses.
In a pod, the service account, POD_NAMESPACE and POD_NAME take the place of the flags.

Standalone mode serves the admission webhook for the SecurityPolicies in DIR with no
cluster: POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics, all over
HTTPS. Namespace objects in DIR supply the labels for namespaceSelector. DIR is reloaded
when a file in it changes; an invalid edit is reported and the previous policies keep
serving.

Cluster flags:
  --kubeconfig PATH         kubeconfig to use (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --namespace NS            Castellan's namespace: Lease, Secret, reports (default $POD_NAMESPACE
                            or castellan-system); never gated by the webhook
  --sensor-namespace NS     castellan-sensor's namespace (default castellan-sensor). The webhooks
                            leave it, NS and kube-system out, and responses never act on them
  --identity NAME           This replica's name for leader election (default $POD_NAME, or
                            host-pid-starttime)
  --webhook-url-base URL    Point the webhook configurations at URL/validate and URL/mutate
                            instead of the Service (out-of-cluster development and tests)
  --service-name NAME       The webhook Service in NS (default castellan-webhook)
  --webhook-timeout S       timeoutSeconds of every webhook entry, 1-30 (default 5)
  --cert-lifetime S         Lifetime in seconds of the generated CA and serving certificate;
                            rotated at two thirds (default 31536000, one year)
  --cert-manager-secret N   Serve the certificate cert-manager keeps in Secret N; only inject
                            its ca.crt into the webhook configurations
  --report-interval S       How often this replica reports its admission counts (default 10)
  --resync S                Full reconcile period of the leader (default 10)
  --lease-duration S        Leader election lease (default 15; renew deadline 10, retry 2)
  --renew-deadline S
  --retry-period S
  --reuse-port              Let replicas on one host share --webhook-port (SO_REUSEPORT)
  --shutdown-delay S        On SIGTERM, keep serving S seconds with /readyz failing and every
                            connection closed after its answer, so that the Service moves
                            clients to other replicas first (default 0; the Deployment sets 5)

Standalone flags:
  --standalone              Serve the policies of --policies with no cluster
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
  --drain-timeout S         On SIGTERM, seconds to let requests in flight finish (default 25;
                            cluster mode too)
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
      {"--kubeconfig", text(&o.kubeconfig)},
      {"--namespace", text(&o.namespace_)},
      {"--sensor-namespace", text(&o.sensor_namespace)},
      {"--identity", text(&o.identity)},
      {"--webhook-url-base", text(&o.webhook_url_base)},
      {"--service-name", text(&o.service_name)},
      {"--webhook-timeout", number(&o.webhook_timeout_s, 1, 30)},
      {"--cert-lifetime", number(&o.cert_lifetime_s, 30, 20 * 365 * 24 * 3600)},
      {"--cert-manager-secret", text(&o.cert_manager_secret)},
      {"--report-interval", number(&o.report_interval_s, 1, 3600)},
      {"--resync", number(&o.resync_s, 1, 3600)},
      {"--lease-duration", number(&o.lease_duration_s, 1, 3600)},
      {"--renew-deadline", number(&o.renew_deadline_s, 1, 3600)},
      {"--retry-period", number(&o.retry_period_s, 1, 3600)},
      {"--shutdown-delay", number(&o.shutdown_delay_s, 0, 600)},
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
    if (arg == "--reuse-port") {
      o.reuse_port = true;
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
    if (!o.policies_dir.empty()) return Error::make("--policies goes with --standalone");
    if (!o.webhook_url_base.empty() && o.webhook_url_base.rfind("https://", 0) != 0) {
      return Error::make("--webhook-url-base must start with https://, got \"" +
                         o.webhook_url_base + "\"");
    }
    if (!(o.lease_duration_s > o.renew_deadline_s && o.renew_deadline_s > o.retry_period_s)) {
      return Error::make("--lease-duration > --renew-deadline > --retry-period must hold");
    }
    return o;
  }
  if (o.policies_dir.empty()) return Error::make("--standalone needs --policies DIR");
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Error::make("--tls-cert and --tls-key go together; give both or neither");
  }
  return o;
}

}  // namespace castellan::manager
