#include "standalone.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "common/log.h"
#include "webhook/metrics.h"
#include "webhook/policy_directory.h"
#include "webhook/policy_store.h"
#include "webhook/self_signed_certificate.h"
#include "webhook/server.h"
#include "webhook/tls_context_provider.h"
#include "webhook/webhook_service.h"

namespace castellan::manager {
namespace {

constexpr int kExitStopped = 0;
constexpr int kExitCannotStart = 1;

int cannot_start(const std::string& what, const std::string& why) {
  log::error("Failed to start castellan-manager", {{"step", what}, {"error", why}});
  std::cerr << "castellan-manager: error: " << what << ": " << why << "\n";
  return kExitCannotStart;
}

log::Level level_of(const std::string& name) {
  if (name == "debug") return log::Level::Debug;
  if (name == "warn") return log::Level::Warn;
  if (name == "error") return log::Level::Error;
  return log::Level::Info;
}

std::string default_cert_dir(int port) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  std::string suffix = port != 0 ? std::to_string(port) : "pid" + std::to_string(::getpid());
  return base + "/castellan-webhook-" + suffix;
}

Result<webhook::TlsContextProviderPtr> serving_certificate(const ManagerOptions& o) {
  if (!o.tls_cert.empty()) return webhook::TlsContextProvider::from_files(o.tls_cert, o.tls_key);
  auto pair = webhook::make_self_signed_certificate({"IP:127.0.0.1", "DNS:localhost"});
  if (!pair.ok()) return pair.error();
  std::string dir = o.cert_dir.empty() ? default_cert_dir(o.webhook_port) : o.cert_dir;
  auto written = webhook::write_certificate(*pair, dir);
  if (!written.ok()) return written.error();
  std::cout << "certificate " << written->cert_file << "\n" << std::flush;
  log::info("Wrote a self-signed serving certificate",
            {{"cert", written->cert_file}, {"key", written->key_file},
             {"sans", "IP:127.0.0.1,DNS:localhost"}});
  return webhook::TlsContextProvider::from_files(written->cert_file, written->key_file);
}

}  // namespace

int run_standalone(const ManagerOptions& o) {
  log::set_level(level_of(o.log_level));
  log::set_json(o.log_json);

  // Signals are taken by sigwait below; every thread started from here inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto tls = serving_certificate(o);
  if (!tls.ok()) return cannot_start("loading the serving certificate", tls.error().message);

  webhook::PolicyStore store;
  webhook::PolicyDirectory policies(o.policies_dir, store);
  if (auto s = policies.load(); !s.ok()) {
    return cannot_start("loading policies from " + o.policies_dir, s.error().message);
  }

  webhook::Metrics metrics;
  webhook::WebhookService service(store, metrics);
  webhook::ServerOptions server_options;
  server_options.address = o.bind_address;
  server_options.port = static_cast<uint16_t>(o.webhook_port);
  server_options.threads = o.threads;
  server_options.max_connections = static_cast<size_t>(o.max_connections);
  server_options.certificate_poll = std::chrono::milliseconds(o.reload_interval_ms);
  server_options.drain_timeout = std::chrono::seconds(o.drain_timeout_s);
  webhook::Server server(server_options, service, metrics, **tls);
  if (auto s = server.start(); !s.ok()) return cannot_start("starting the webhook server", s.error().message);

  policies.watch(std::chrono::milliseconds(o.reload_interval_ms));
  std::cout << "serving https://" << o.bind_address << ":" << server.port() << "\n" << std::flush;
  log::info("Started the webhook server",
            {{"address", o.bind_address}, {"port", std::to_string(server.port())},
             {"threads", std::to_string(o.threads)}, {"policies", o.policies_dir}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::info("Received a signal; draining requests in flight",
            {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  policies.stop();
  server.shutdown();
  log::info("Stopped the webhook server");
  return kExitStopped;
}

}  // namespace castellan::manager
