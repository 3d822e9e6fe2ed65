#include "cluster.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "common/log.h"
#include "controller/admission_tally.h"
#include "controller/manager.h"
#include "kube/client_config.h"
#include "kube/rest_client.h"
#include "webhook/metrics.h"
#include "webhook/policy_store.h"
#include "webhook/self_signed_certificate.h"
#include "webhook/server.h"
#include "webhook/tls_context_provider.h"
#include "webhook/webhook_service.h"

namespace castellan::manager {
namespace {

int cannot_start(const std::string& what, const std::string& why) {
  log::error("Failed to start castellan-manager", {{"step", what}, {"error", why}});
  std::cerr << "castellan-manager: error: " << what << ": " << why << "\n";
  return 1;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string default_identity() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  auto start = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + std::to_string(start);
}

}  // namespace

int run_cluster(const ManagerOptions& o) {
  log::set_json(o.log_json);
  if (o.log_level == "debug") log::set_level(log::Level::Debug);
  if (o.log_level == "warn") log::set_level(log::Level::Warn);
  if (o.log_level == "error") log::set_level(log::Level::Error);

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  kube::LoadOptions load;
  load.kubeconfig = o.kubeconfig;
  auto config = kube::load_client_config(load);
  if (!config.ok())
    return cannot_start("loading the Kubernetes client configuration", config.error().message);
  auto api = kube::make_rest_client(*config);
  if (!api.ok()) return cannot_start("creating the Kubernetes client", api.error().message);

  controller::ManagerOptions m;
  m.namespace_ = o.namespace_.empty() ? env_or("POD_NAMESPACE", "castellan-system") : o.namespace_;
  m.identity = o.identity.empty() ? env_or("POD_NAME", default_identity()) : o.identity;
  m.webhook.own_namespace = m.namespace_;
  m.webhook.protected_namespaces =
      controller::ProtectedNamespaces(m.namespace_, o.sensor_namespace);
  m.webhook.url_base = o.webhook_url_base;
  m.webhook.service_name = o.service_name;
  m.webhook.timeout_seconds = o.webhook_timeout_s;
  m.cert_lifetime = std::chrono::seconds(o.cert_lifetime_s);
  m.cert_manager = !o.cert_manager_secret.empty();
  if (m.cert_manager) m.secret_name = o.cert_manager_secret;
  if (!o.webhook_url_base.empty()) m.extra_sans = {"127.0.0.1", "localhost"};
  m.report_interval = std::chrono::seconds(o.report_interval_s);
  m.resync = std::chrono::seconds(o.resync_s);
  m.lease_duration = std::chrono::seconds(o.lease_duration_s);
  m.renew_deadline = std::chrono::seconds(o.renew_deadline_s);
  m.retry_period = std::chrono::seconds(o.retry_period_s);

  // Until the leader has written the Secret, serve a throwaway certificate; nothing calls the
  // webhook before the configurations carry the Secret's CA.
  auto bootstrap = webhook::make_self_signed_certificate({"IP:127.0.0.1", "DNS:localhost"});
  if (!bootstrap.ok())
    return cannot_start("generating a bootstrap certificate", bootstrap.error().message);
  auto tls = webhook::TlsContextProvider::from_pem(bootstrap->cert_pem, bootstrap->key_pem);
  if (!tls.ok()) return cannot_start("loading the bootstrap certificate", tls.error().message);

  webhook::PolicyStore store;
  webhook::Metrics metrics;
  controller::AdmissionTally tally;
  webhook::WebhookService service(store, metrics, &tally);
  webhook::ServerOptions server_options;
  server_options.address = o.bind_address;
  server_options.port = static_cast<uint16_t>(o.webhook_port);
  server_options.threads = o.threads;
  server_options.max_connections = static_cast<size_t>(o.max_connections);
  server_options.drain_timeout = std::chrono::seconds(o.drain_timeout_s);
  server_options.reuse_port = o.reuse_port;
  webhook::Server server(server_options, service, metrics, **tls);
  if (auto s = server.start(); !s.ok())
    return cannot_start("starting the webhook server", s.error().message);
  std::cout << "serving https://" << o.bind_address << ":" << server.port() << "\n" << std::flush;

  controller::Manager manager(*api, m, store, **tls, tally);
  if (auto s = manager.start(); !s.ok()) {
    server.shutdown();
    return cannot_start("starting the controller", s.error().message);
  }
  log::info("Started castellan-manager",
            {{"identity", m.identity},
             {"namespace", m.namespace_},
             {"protectedNamespaces", m.webhook.protected_namespaces.text()},
             {"port", std::to_string(server.port())},
             {"server", config->server}});

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log::info("Received a signal; stopping",
            {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"},
             {"shutdownDelaySeconds", std::to_string(o.shutdown_delay_s)}});
  if (o.shutdown_delay_s > 0) {
    // Endpoints and kube-proxy take a moment to stop sending here; serve until they have.
    service.begin_shutdown();
    std::this_thread::sleep_for(std::chrono::seconds(o.shutdown_delay_s));
  }
  manager.stop();
  server.shutdown();
  log::info("Stopped castellan-manager");
  return 0;
}

}  // namespace castellan::manager
