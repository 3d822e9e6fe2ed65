// Evaluations per second of the admission path: AdmissionReview text parsed, a Pod evaluated
// against 1, 10 and 100 policies, the response with its JSONPatch serialized. The parse step
// is measured with nlohmann_json and with simdjson (converted to the engine's nlohmann input).
// `policy_bench --report=FILE` also writes the results and ratios as Markdown.

#include <benchmark/benchmark.h>
#include <simdjson.h>
#include <time.h>

#include <string>

#include "admission_fixture.h"
#include "admission_pipeline.h"
#include "policy/static_namespace_labels.h"
#include "report_writer.h"
#include "simdjson_to_nlohmann.h"

namespace castellan::bench {
namespace {

using nlohmann::json;

const std::string& review_text() {
  static const std::string text = admission_review_text();
  return text;
}

// simdjson reads past the end: the webhook keeps request bodies in a padded buffer.
const simdjson::padded_string& padded_review() {
  static const simdjson::padded_string text(review_text());
  return text;
}

const policy::StaticNamespaceLabels& namespaces() {
  static const policy::StaticNamespaceLabels labels({{"prod-payments", {{"env", "prod"}}}});
  return labels;
}

const policy::StaticNamespaceLabels& labelled_namespaces() {
  static const policy::StaticNamespaceLabels labels(
      {{"prod-payments", namespace_pod_security_labels()}});
  return labels;
}

policy::PolicySnapshotPtr snapshot(int count, api::PodSecuritySpec pod_security = {}) {
  return policy::PolicySnapshot::compile(benchmark_policies(count, pod_security));
}

json parse_simdjson(simdjson::dom::parser& parser) {
  simdjson::dom::element root;
  if (parser.parse(padded_review()).get(root) != simdjson::SUCCESS) return nullptr;
  return to_nlohmann(root);
}

bool check_output(benchmark::State& state, const PipelineOutput& out, int policies) {
  if (out.evaluations != static_cast<size_t>(policies) || out.allowed) {
    state.SkipWithError("the pipeline did not evaluate every policy with the expected verdict");
    return false;
  }
  return true;
}

void BM_ParseNlohmann(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(json::parse(review_text()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * review_text().size()));
}

void BM_ParseSimdjson(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element root;
    benchmark::DoNotOptimize(parser.parse(padded_review()).get(root));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * review_text().size()));
}

void BM_ParseSimdjsonToNlohmann(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) benchmark::DoNotOptimize(parse_simdjson(parser));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * review_text().size()));
}

void BM_EvaluateOnly(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const auto snap = snapshot(count);
  const json review = json::parse(review_text());
  if (!check_output(state, respond(review, *snap, namespaces()), count)) return;
  const json& object = review["request"]["object"];
  for (auto _ : state) benchmark::DoNotOptimize(snap->evaluate(object, namespaces()));
  state.SetItemsProcessed(state.iterations());
}

int64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// The evaluate step at `latest` and with every policy's Pod Security pinned (range(1) = N for
// v1.N) or read from namespace labels (range(1) = 0), evaluated alternately, one of each per
// iteration in alternating order, so that both halves see the same interference from other work
// on the machine. The ratio of their summed thread CPU times is the cost of the variant.
void BM_PodSecurityPaired(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const int minor = static_cast<int>(state.range(1));
  api::PodSecuritySpec variant;
  if (minor == 0) {
    variant.fromNamespaceLabels = true;
  } else {
    variant.version = {false, minor};
  }
  const auto latest = snapshot(count);
  const auto other = snapshot(count, variant);
  const auto& other_namespaces = minor == 0 ? labelled_namespaces() : namespaces();
  const json review = json::parse(review_text());
  if (!check_output(state, respond(review, *latest, namespaces()), count) ||
      !check_output(state, respond(review, *other, other_namespaces), count)) {
    return;
  }
  const json& object = review["request"]["object"];
  int64_t latest_ns = 0, other_ns = 0;
  bool latest_first = true;
  for (auto _ : state) {
    for (int half = 0; half < 2; ++half) {
      const bool run_latest = (half == 0) == latest_first;
      const int64_t start = thread_cpu_ns();
      if (run_latest) {
        benchmark::DoNotOptimize(latest->evaluate(object, namespaces()));
        latest_ns += thread_cpu_ns() - start;
      } else {
        benchmark::DoNotOptimize(other->evaluate(object, other_namespaces));
        other_ns += thread_cpu_ns() - start;
      }
    }
    latest_first = !latest_first;
  }
  record_paired(std::to_string(count) + "/" + std::to_string(minor),
                static_cast<double>(latest_ns) / static_cast<double>(state.iterations()),
                static_cast<double>(other_ns) / static_cast<double>(state.iterations()));
  state.SetItemsProcessed(state.iterations() * 2);
}

void BM_AdmissionNlohmann(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const auto snap = snapshot(count);
  if (!check_output(state, respond(json::parse(review_text()), *snap, namespaces()), count)) return;
  for (auto _ : state) {
    benchmark::DoNotOptimize(respond(json::parse(review_text()), *snap, namespaces()));
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_AdmissionSimdjson(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const auto snap = snapshot(count);
  simdjson::dom::parser parser;
  if (!check_output(state, respond(parse_simdjson(parser), *snap, namespaces()), count)) return;
  for (auto _ : state) {
    benchmark::DoNotOptimize(respond(parse_simdjson(parser), *snap, namespaces()));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_ParseNlohmann);
BENCHMARK(BM_ParseSimdjson);
BENCHMARK(BM_ParseSimdjsonToNlohmann);
BENCHMARK(BM_EvaluateOnly)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_PodSecurityPaired)->ArgsProduct({{1, 10, 100}, {37, 29, 0}});
BENCHMARK(BM_AdmissionNlohmann)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(BM_AdmissionSimdjson)->Arg(1)->Arg(10)->Arg(100);

}  // namespace
}  // namespace castellan::bench

int main(int argc, char** argv) {
  return castellan::bench::run_benchmarks(
      argc, argv, "policy_bench",
      [](const std::string& path, const castellan::bench::CollectingReporter& reporter) {
        return castellan::bench::write_policy_report(path, reporter,
                                                     castellan::bench::review_text().size());
      });
}
