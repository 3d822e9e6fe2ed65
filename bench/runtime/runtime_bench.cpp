// The controller's runtime hot paths at 1,000 and 10,000 live RuntimeViolation Events: decoding
// the Events (what the informer pays anyway, the baseline), the leader's steady-state
// count_new_alerts pass, serializing and loading the runtime ledger, and admission of a Pod
// against policies whose status quarantines 0, 100 and 10,000 digests.
// `runtime_bench --report=FILE` also writes the results and ratios as Markdown.

#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/policy/admission_fixture.h"
#include "policy/image_rules.h"
#include "policy/policy_snapshot.h"
#include "policy/static_namespace_labels.h"
#include "runtime_fixture.h"
#include "runtime_report.h"

namespace castellan::bench {
namespace {

using nlohmann::json;

const std::vector<json>& event_json(int count) {
  static std::map<int, std::vector<json>> cache;
  auto it = cache.find(count);
  if (it == cache.end()) it = cache.emplace(count, runtime_violation_events(count)).first;
  return it->second;
}

// The informer's cache of `count` Events; empty when one does not decode.
const std::vector<api::RuntimeViolationEvent>& decoded_events(int count) {
  static std::map<int, std::vector<api::RuntimeViolationEvent>> cache;
  auto it = cache.find(count);
  if (it != cache.end()) return it->second;
  std::vector<api::RuntimeViolationEvent> events;
  for (const auto& j : event_json(count)) {
    auto decoded = api::decode_runtime_violation(j);
    if (!decoded) return cache[count];
    events.push_back(std::move(*decoded));
  }
  return cache[count] = std::move(events);
}

bool check_events(benchmark::State& state, int count) {
  if (decoded_events(count).size() != static_cast<size_t>(count)) {
    state.SkipWithError("a benchmark Event did not decode");
    return false;
  }
  return true;
}

void BM_DecodeEvents(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  if (!check_events(state, count)) return;
  const auto& events = event_json(count);
  for (auto _ : state) {
    for (const auto& j : events) benchmark::DoNotOptimize(api::decode_runtime_violation(j));
  }
  state.SetItemsProcessed(state.iterations() * count);
}

// The leader's reconcile between two changes of one Event's count: every other Event is marked.
void BM_CountNewAlerts(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  if (!check_events(state, count)) return;
  auto events = decoded_events(count);
  auto ledger = counted_ledger(events);
  const auto uids = runtime_policy_uids();
  const auto pointers = controller::pointers_to(events);
  size_t next = 0;
  for (auto _ : state) {
    ++events[next].count;
    next = (next + 1) % events.size();
    bool changed = false;
    const auto alerts = controller::count_new_alerts(ledger, pointers, uids, true, &changed);
    if (!changed || alerts.size() != 1) {
      state.SkipWithError("the pass did not count exactly one new alert");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * count);
}

// As the manager runs it: pointers to the Events in the informer's cache, counted, and the
// ledger serialized because a mark moved.
void BM_LeaderPass(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  if (!check_events(state, count)) return;
  std::vector<std::shared_ptr<api::RuntimeViolationEvent>> cache;
  for (const auto& e : decoded_events(count)) {
    cache.push_back(std::make_shared<api::RuntimeViolationEvent>(e));
  }
  auto ledger = counted_ledger(decoded_events(count));
  const auto uids = runtime_policy_uids();
  size_t next = 0;
  for (auto _ : state) {
    ++cache[next]->count;
    next = (next + 1) % cache.size();
    controller::ViolationEvents violations;
    violations.reserve(cache.size());
    for (const auto& e : cache) violations.push_back(e.get());
    bool changed = false;
    const auto alerts = controller::count_new_alerts(ledger, violations, uids, true, &changed);
    if (!changed || alerts.size() != 1) {
      state.SkipWithError("the pass did not count exactly one new alert");
      return;
    }
    benchmark::DoNotOptimize(controller::to_json(ledger).dump());
  }
  state.SetItemsProcessed(state.iterations() * count);
}

void BM_SerializeLedger(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  if (!check_events(state, count)) return;
  const auto ledger = counted_ledger(decoded_events(count));
  const size_t bytes = controller::to_json(ledger).dump().size();
  for (auto _ : state) benchmark::DoNotOptimize(controller::to_json(ledger).dump());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

// A leader that starts: the ConfigMap's text parsed and decoded, as RuntimeLedgerStore::load.
void BM_LoadLedger(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  if (!check_events(state, count)) return;
  const std::string text = controller::to_json(counted_ledger(decoded_events(count))).dump();
  for (auto _ : state) {
    auto ledger = controller::runtime_ledger_from_json(json::parse(text));
    if (!ledger || ledger->counted.size() != static_cast<size_t>(count)) {
      state.SkipWithError("the ledger did not load back");
      return;
    }
    benchmark::DoNotOptimize(ledger);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

const policy::StaticNamespaceLabels& namespaces() {
  static const policy::StaticNamespaceLabels labels({{"prod-payments", {{"env", "prod"}}}});
  return labels;
}

const json& pod() {
  static const json object = json::parse(admission_review_text())["request"]["object"];
  return object;
}

bool quarantine_denies(const policy::ResourceEvaluation& evaluation) {
  for (const auto& result : evaluation.results) {
    for (const auto& v : result.violations) {
      if (v.rule == policy::kQuarantinedDigestRule) return true;
    }
  }
  return false;
}

void BM_EvaluateQuarantines(benchmark::State& state) {
  const int per_policy = static_cast<int>(state.range(0));
  const auto snap = policy::PolicySnapshot::compile(quarantining_policies(per_policy));
  const auto first = snap->evaluate(pod(), namespaces());
  if (first.results.size() != static_cast<size_t>(kRuntimePolicies) || quarantine_denies(first)) {
    state.SkipWithError("the Pod was not evaluated by every policy without a quarantine hit");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(snap->evaluate(pod(), namespaces()));
  state.SetItemsProcessed(state.iterations());
}

// What the manager pays when a quarantine changes: the snapshot compiled again from a copy of
// the policies in force.
void BM_CompileQuarantines(benchmark::State& state) {
  const auto policies = quarantining_policies(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(policy::PolicySnapshot::compile(policies));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_DecodeEvents)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CountNewAlerts)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LeaderPass)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SerializeLedger)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadLedger)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EvaluateQuarantines)->Arg(0)->Arg(100)->Arg(10000);
BENCHMARK(BM_CompileQuarantines)->Arg(0)->Arg(100)->Arg(10000)->Unit(benchmark::kMicrosecond);

RuntimeFacts runtime_facts() {
  RuntimeFacts facts;
  for (const int count : {1000, 10000}) {
    size_t json_bytes = 0;
    for (const auto& j : event_json(count)) json_bytes += j.dump().size();
    facts.event_bytes[count] = json_bytes / static_cast<size_t>(count);
    const std::string ledger = controller::to_json(counted_ledger(decoded_events(count))).dump();
    facts.ledger_bytes[count] = ledger.size();
    facts.escaped_ledger_bytes[count] = json(ledger).dump().size();
  }
  return facts;
}

}  // namespace

}  // namespace castellan::bench

int main(int argc, char** argv) {
  return castellan::bench::run_benchmarks(
      argc, argv, "runtime_bench",
      [](const std::string& path, const castellan::bench::CollectingReporter& reporter) {
        return castellan::bench::write_runtime_report(path, reporter,
                                                      castellan::bench::runtime_facts());
      });
}
