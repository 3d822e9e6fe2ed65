#pragma once
// Loads Kubernetes manifests from files, directories and stdin, as kubectl -f -R reads them.
//
//   auto loaded = api::load_manifests({"config/samples", "-"}, std::cin);
//   if (!loaded.ok()) { std::cerr << loaded.error().message; return 2; }
//   for (const api::Manifest& m : *loaded) use(m.object, m.location());
//
// - A directory is walked recursively for *.yaml, *.yml and *.json files, in sorted order.
// - `-` reads the given stream (stdin), at most once.
// - A file holds one or more YAML documents (`---`) or one or more JSON objects.
// - `kind: List` and typed lists (`PodList`, ...) are flattened into their items; items of a
//   typed list without apiVersion/kind get them from the list.
// - Empty documents are skipped. Every other document must be an object with string
//   apiVersion and kind.
// Errors name the file, the document (1-based) and, for YAML/JSON syntax, line and column;
// every problem in every path is reported, one per line of Error::message.

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace castellan::api {

struct Manifest {
  nlohmann::json object;
  std::string source;  // the file as found (e.g. examples/pod.yaml), or "<stdin>"
  int document = 0;    // 1-based index of the document in `source`
  std::string item;    // "items[2]" when flattened from a List (nested: "items[0].items[2]")

  // "examples/pod.yaml, document 2" (", items[2]" appended for List items).
  std::string location() const;
  std::string kind() const;
  std::string api_version() const;
  std::string name() const;
  std::string namespace_name() const;  // metadata.namespace, empty when unset
};

inline constexpr const char* kStdinSource = "<stdin>";

Result<std::vector<Manifest>> load_manifests(const std::vector<std::string>& paths,
                                             std::istream& stdin_stream);

// Parses one file's text. `json_only` (for *.json files) parses a JSON stream only; otherwise
// text starting with '{' or '[' is tried as JSON first, then as YAML.
Result<std::vector<Manifest>> parse_manifests(std::string_view text, const std::string& source,
                                              bool json_only = false);

}  // namespace castellan::api
