// Evaluations per second of the admission path: AdmissionReview text parsed, a Pod evaluated
// against 1, 10 and 100 policies, the response with its JSONPatch serialized. The parse step
// is measured with nlohmann_json and with simdjson (converted to the engine's nlohmann input).
// `policy_bench --report=FILE` also writes the results and ratios as Markdown.

#include <benchmark/benchmark.h>
#include <simdjson.h>

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

policy::PolicySnapshotPtr snapshot(int count) {
  return policy::PolicySnapshot::compile(benchmark_policies(count));
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
