// kube_bench: what the informer costs on 10,000 Pods in a real API server.
//   kube_bench populate  --namespace NS --pods N --threads T   creates the Pods (parallel)
//   kube_bench list      --namespace NS                        a plain paged list: the baseline
//   kube_bench informer  --namespace NS --cache raw|projection|summary --updates M --threads T
//   kube_bench report    --input FILE.jsonl --output FILE.md
// The API server comes from $KUBECONFIG. Measurements are printed as one JSON line each.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/kube/bench_report.h"
#include "bench/kube/pod_fixture.h"
#include "bench/kube/process_usage.h"
#include "common/log.h"
#include "kube/client_config.h"
#include "kube/informer.h"
#include "kube/rest_client.h"

namespace castellan::bench {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using kube::GroupVersionResource;

const GroupVersionResource kPods{"", "v1", "pods", true};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Flags {
  std::map<std::string, std::string> values;
  std::string get(const std::string& name, const std::string& fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  int number(const std::string& name, int fallback) const {
    return std::stoi(get(name, std::to_string(fallback)));
  }
};

Result<kube::ApiClientPtr> connect(int connections) {
  auto config = kube::load_client_config();
  if (!config.ok()) return config.error();
  config->qps = 0;  // no client-side throttling: measure the server and the client, not a limiter
  config->max_idle_connections = static_cast<std::size_t>(connections);
  auto client = kube::make_rest_client(*config);
  if (!client.ok()) return client.error();
  return kube::ApiClientPtr(*client);
}

// Runs fn(i) for i in [0, n) on `threads` threads; returns the failures.
template <typename F>
int parallel(int n, int threads, F fn) {
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        if (!fn(i)) ++failures;
      }
    });
  }
  for (auto& w : workers) w.join();
  return failures;
}

int populate(const Flags& flags) {
  std::string ns = flags.get("namespace", "bench");
  int pods = flags.number("pods", 10000);
  int threads = flags.number("threads", 8);
  auto api = connect(threads);
  if (!api.ok()) return std::fprintf(stderr, "%s\n", api.error().message.c_str()), 1;
  (*api)->create({"", "v1", "namespaces", false}, "",
                 {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}});
  (*api)->create({"", "v1", "serviceaccounts", true}, ns,
                 {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}});
  auto start = Clock::now();
  std::atomic<int> created{0};
  std::mutex mu;
  std::string first_error;
  int failures = parallel(pods, threads, [&](int i) {
    auto result = (*api)->create(kPods, ns, make_pod(ns, i));
    if (result.ok()) {
      ++created;
      return true;
    }
    if (result.error().reason == "AlreadyExists") return true;
    std::lock_guard<std::mutex> lock(mu);
    if (first_error.empty()) first_error = result.error().message;
    return false;
  });
  double elapsed = seconds_since(start);
  if (failures > 0) std::fprintf(stderr, "%d creations failed, first: %s\n", failures, first_error.c_str());
  json line = {{"mode", "populate"}, {"pods", pods}, {"created", created.load()},
               {"threads", threads}, {"seconds", elapsed}, {"failures", failures}};
  std::printf("%s\n", line.dump().c_str());
  return failures > 0 ? 1 : 0;
}

int list(const Flags& flags) {
  std::string ns = flags.get("namespace", "bench");
  auto api = connect(2);
  if (!api.ok()) return std::fprintf(stderr, "%s\n", api.error().message.c_str()), 1;
  auto start = Clock::now();
  double cpu0 = process_cpu_seconds();
  kube::ListOptions options;
  options.limit = 500;
  std::vector<json> pages;
  for (;;) {
    auto page = (*api)->list(kPods, ns, options);
    if (!page.ok()) return std::fprintf(stderr, "%s\n", page.error().message.c_str()), 1;
    options.continueToken = (*page)["metadata"].value("continue", "");
    pages.push_back(std::move(page).value());
    if (options.continueToken.empty()) break;
  }
  double elapsed = seconds_since(start);
  // Sizes are measured after the clock stopped: serialising is not part of a list.
  std::size_t pods = 0;
  std::size_t bytes = 0;
  for (const auto& page : pages) {
    for (const auto& item : page["items"]) {
      ++pods;
      bytes += item.dump().size();
    }
  }
  json line = {{"mode", "list"}, {"pods", pods}, {"seconds", elapsed},
               {"cpu_seconds", process_cpu_seconds() - cpu0},
               {"wire_bytes_per_pod", pods ? bytes / pods : 0}};
  std::printf("%s\n", line.dump().c_str());
  return 0;
}

template <typename T>
int run_informer(const Flags& flags, const std::string& cache,
                 typename kube::Informer<T>::Transform transform) {
  std::string ns = flags.get("namespace", "bench");
  int updates = flags.number("updates", 10000);
  int threads = flags.number("threads", 8);
  auto api = connect(threads + 1);
  if (!api.ok()) return std::fprintf(stderr, "%s\n", api.error().message.c_str()), 1;

  kube::InformerOptions options;
  options.reflector.gvr = kPods;
  options.reflector.namespace_ = ns;
  options.reflector.page_size = flags.number("page-size", 500);

  // Warm the connection (TLS, buffers) so that the baseline holds the client's fixed cost.
  kube::ListOptions probe;
  probe.limit = 1;
  if (auto warm = (*api)->list(kPods, ns, probe); !warm.ok()) {
    return std::fprintf(stderr, "%s\n", warm.error().message.c_str()), 1;
  }
  std::int64_t rss_before = trimmed_rss_bytes();
  std::int64_t heap_before = live_heap_bytes();
  double cpu_before = process_cpu_seconds();
  auto start = Clock::now();
  auto informer = std::make_unique<kube::Informer<T>>(*api, options, transform);

  std::atomic<int> seen{0};
  std::atomic<int> target{updates};
  std::atomic<bool> finished{false};
  double first_cpu = 0, last_cpu = 0;  // written on the informer thread, read after `finished`
  Clock::time_point last_event{};
  informer->add_handlers({nullptr,
                          [&](const std::string&, const T&, const T&) {
                            int n = ++seen;
                            if (n == 1) first_cpu = thread_cpu_seconds();
                            if (n == target) {
                              last_cpu = thread_cpu_seconds();
                              last_event = Clock::now();
                              finished = true;
                            }
                          },
                          nullptr});
  informer->start();
  if (!informer->wait_for_sync(std::chrono::minutes(10))) {
    std::fprintf(stderr, "the informer did not sync\n");
    return 1;
  }
  double sync_seconds = seconds_since(start);
  double sync_cpu = process_cpu_seconds() - cpu_before;
  std::size_t cached = informer->store().size();
  std::int64_t rss_after = trimmed_rss_bytes();
  std::int64_t heap_after = live_heap_bytes();

  // Watch throughput: change every Pod's label from several threads at once.
  auto keys = informer->store().keys();
  int n = std::min<int>(updates, static_cast<int>(keys.size()));
  if (n == 0) finished = true;
  target = n;
  std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  std::string body = json{{"metadata", {{"labels", {{"bench-run", run}}}}}}.dump();
  auto updates_start = Clock::now();
  int failures = parallel(n, threads, [&](int i) {
    auto name = std::string(kube::key_name(keys[static_cast<std::size_t>(i)]));
    return (*api)->patch(kPods, ns, name, kube::PatchType::Merge, body).ok();
  });
  double writes_seconds = seconds_since(updates_start);
  auto deadline = Clock::now() + std::chrono::minutes(5);
  while (!finished && seen.load() < n - failures && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int handled = seen.load();
  double watch_seconds = n == 0 ? 0.0 : finished ? std::chrono::duration<double>(last_event - updates_start).count()
                                      : seconds_since(updates_start);
  double cpu_per_event = finished && handled > 1 ? (last_cpu - first_cpu) / (handled - 1) : 0;
  auto stats = informer->stats();
  informer->stop();

  json line = {{"mode", "informer"},
               {"cache", cache},
               {"pods", cached},
               {"sync_seconds", sync_seconds},
               {"sync_cpu_seconds", sync_cpu},
               {"page_size", options.reflector.page_size},
               {"rss_bytes_per_pod", cached ? static_cast<double>(rss_after - rss_before) / cached : 0},
               {"heap_bytes_per_pod", cached ? static_cast<double>(heap_after - heap_before) / cached : 0},
               {"updates", n},
               {"update_failures", failures},
               {"events_handled", handled},
               {"writes_seconds", writes_seconds},
               {"watch_seconds", watch_seconds},
               {"informer_cpu_per_event_us", cpu_per_event * 1e6},
               {"watches", stats.reflector.watches},
               {"lists", stats.reflector.lists}};
  std::printf("%s\n", line.dump().c_str());
  return finished ? 0 : 1;
}

int informer(const Flags& flags) {
  std::string cache = flags.get("cache", "raw");
  if (cache == "raw") return run_informer<json>(flags, cache, kube::Informer<json>::identity());
  if (cache == "projection") return run_informer<json>(flags, cache, project_pod);
  if (cache == "summary") return run_informer<PodSummary>(flags, cache, summarize_pod);
  std::fprintf(stderr, "unknown --cache %s: want raw, projection or summary\n", cache.c_str());
  return 2;
}

}  // namespace
}  // namespace castellan::bench

int main(int argc, char** argv) {
  using namespace castellan::bench;
  castellan::log::set_level(castellan::log::Level::Warn);
  if (argc < 2) {
    std::fprintf(stderr, "usage: kube_bench populate|list|informer|report [--flag value]...\n");
    return 2;
  }
  Flags flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name.rfind("--", 0) != 0) {
      std::fprintf(stderr, "expected --flag value, got %s\n", argv[i]);
      return 2;
    }
    flags.values[name.substr(2)] = argv[i + 1];
  }
  std::string mode = argv[1];
  try {
    if (mode == "populate") return populate(flags);
    if (mode == "list") return list(flags);
    if (mode == "informer") return informer(flags);
    if (mode == "report") return write_report(flags.get("input", ""), flags.get("output", ""));
  } catch (const std::exception& e) {  // std::stoi on a bad flag value
    std::fprintf(stderr, "kube_bench %s: %s\n", mode.c_str(), e.what());
    return 2;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
