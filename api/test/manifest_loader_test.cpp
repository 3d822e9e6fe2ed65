#include "api/manifest_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/yaml_json.h"

namespace castellan::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "castellan-loader-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string write(const std::string& relative, const std::string& text) const {
    fs::path p = path_ / relative;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

json only_document(const std::string& yaml) {
  auto parsed = parse_yaml_documents(yaml);
  EXPECT_FALSE(parsed.error) << parsed.error->message;
  EXPECT_EQ(parsed.documents.size(), 1u);
  return parsed.documents.empty() ? json() : parsed.documents[0].value;
}

// Verifies that scalars are typed by the YAML 1.2 core schema, quoted ones staying strings.
TEST(YamlJson, TypesScalarsLikeKubernetes) {
  json v = only_document(R"(
a: true
b: "true"
c: 'false'
d: 5
e: "5"
f: 0x1F
g: 0o17
h: 1.5
i: ~
j:
k: yes
l: 010
m: -7
n: 1e3
o: !!str 12
p: TRUE
q: 18446744073709551615
r: |
  line
s: null
)");
  EXPECT_EQ(v["a"], json(true));
  EXPECT_EQ(v["b"], json("true"));
  EXPECT_EQ(v["c"], json("false"));
  EXPECT_EQ(v["d"], json(5));
  EXPECT_EQ(v["e"], json("5"));
  EXPECT_EQ(v["f"], json(31));
  EXPECT_EQ(v["g"], json(15));
  EXPECT_EQ(v["h"], json(1.5));
  EXPECT_TRUE(v["i"].is_null());
  EXPECT_TRUE(v["j"].is_null());
  EXPECT_EQ(v["k"], json("yes"));
  EXPECT_EQ(v["l"], json(10));
  EXPECT_EQ(v["m"], json(-7));
  EXPECT_EQ(v["n"], json(1000.0));
  EXPECT_EQ(v["o"], json("12"));
  EXPECT_EQ(v["p"], json(true));
  EXPECT_TRUE(v["q"].is_number_unsigned());
  EXPECT_EQ(v["r"], json("line\n"));
  EXPECT_TRUE(v["s"].is_null());
}

// Verifies anchors, aliases and merge keys expand, explicit keys winning.
TEST(YamlJson, ExpandsAliasesAndMergeKeys) {
  json v = only_document(R"(
base: &base {a: 1, b: 2}
copy: *base
merged:
  <<: *base
  b: 3
)");
  EXPECT_EQ(v["copy"], json({{"a", 1}, {"b", 2}}));
  EXPECT_EQ(v["merged"], json({{"a", 1}, {"b", 3}}));
}

// Verifies duplicate keys, non-finite numbers and syntax errors are errors with a position.
TEST(YamlJson, ReportsErrorsWithDocumentAndLine) {
  auto dup = parse_yaml_documents("a: 1\n---\nb: 1\nb: 2\n");
  ASSERT_TRUE(dup.error);
  EXPECT_EQ(dup.error->document, 2);
  EXPECT_EQ(dup.error->line, 4);
  EXPECT_THAT(dup.error->message, HasSubstr("duplicate key \"b\""));

  auto inf = parse_yaml_documents("x: .inf\n");
  ASSERT_TRUE(inf.error);
  EXPECT_THAT(inf.error->message, HasSubstr("cannot be represented in JSON"));

  auto bad = parse_yaml_documents("a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 3\n");
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->document, 3);
  EXPECT_GE(bad.error->line, 5);
  EXPECT_EQ(bad.documents.size(), 2u);
}

// Verifies multi-document YAML yields one manifest per non-empty document, numbered.
TEST(ManifestLoader, SplitsMultiDocumentYaml) {
  auto loaded = parse_manifests(
      "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\n# only a comment\n---\n"
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n",
      "x.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].name(), "a");
  EXPECT_EQ((*loaded)[0].document, 1);
  EXPECT_EQ((*loaded)[1].kind(), "Namespace");
  EXPECT_EQ((*loaded)[1].document, 4);
  EXPECT_EQ((*loaded)[1].location(), "x.yaml, document 4");
}

// Verifies List and typed lists are flattened, typed items getting kind and apiVersion.
TEST(ManifestLoader, FlattensLists) {
  auto loaded = parse_manifests(R"(
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a}}
- apiVersion: v1
  kind: PodList
  items:
  - metadata: {name: b, namespace: prod}
)",
                                "l.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].item, "items[0]");
  EXPECT_EQ((*loaded)[1].kind(), "Pod");
  EXPECT_EQ((*loaded)[1].api_version(), "v1");
  EXPECT_EQ((*loaded)[1].namespace_name(), "prod");
  EXPECT_EQ((*loaded)[1].location(), "l.yaml, document 1, items[1].items[0]");
}

// Verifies a JSON stream of several objects, and JSON errors with line and column.
TEST(ManifestLoader, ReadsJsonStreams) {
  auto loaded = parse_manifests(
      R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}
         {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "b"}})",
      "p.json", true);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[1].document, 2);

  auto bad = parse_manifests("{\"apiVersion\": \"v1\",\n \"kind\": Pod}", "bad.json", true);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("bad.json: document 1: line 2, column"));
  EXPECT_THAT(bad.error().message, HasSubstr("invalid JSON"));
}

// Verifies a YAML flow mapping that starts with '{' is still read as YAML.
TEST(ManifestLoader, FallsBackToYamlForFlowMappings) {
  auto loaded = parse_manifests("{apiVersion: v1, kind: Pod, metadata: {name: a}}\n", "f.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ((*loaded)[0].name(), "a");
}

// Verifies documents that are not objects, or lack kind/apiVersion, are named errors.
TEST(ManifestLoader, RejectsDocumentsThatAreNotObjects) {
  auto loaded = parse_manifests(
      "apiVersion: v1\nkind: Pod\n---\n- a\n---\napiVersion: v1\n---\nkind: Pod\n", "m.yaml");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message,
            "m.yaml: document 2: expected a Kubernetes object (a mapping), got a list\n"
            "m.yaml: document 3: kind: is required (a non-empty string)\n"
            "m.yaml: document 4: apiVersion: is required (a non-empty string)");
}

// Verifies directories are walked recursively, only manifest extensions, in sorted order.
TEST(ManifestLoader, WalksDirectoriesInSortedOrder) {
  TempDir dir;
  dir.write("b.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n");
  dir.write("a/z.yml", "apiVersion: v1\nkind: Pod\nmetadata: {name: az}\n");
  dir.write("c.json", R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c"}})");
  dir.write("notes.txt", "not a manifest");
  std::istringstream no_stdin;
  auto loaded = load_manifests({dir.path()}, no_stdin);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[0].name(), "az");
  EXPECT_EQ((*loaded)[1].name(), "b");
  EXPECT_EQ((*loaded)[2].name(), "c");
  EXPECT_EQ((*loaded)[1].source, dir.path() + "/b.yaml");
}

// Verifies `-` reads the stdin stream and is named <stdin> in locations.
TEST(ManifestLoader, ReadsStdin) {
  std::istringstream in("apiVersion: v1\nkind: Pod\nmetadata: {name: s}\n");
  auto loaded = load_manifests({"-"}, in);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].location(), "<stdin>, document 1");
}

// Verifies every bad path is reported: missing files and broken YAML, each named.
TEST(ManifestLoader, ReportsEveryBadPath) {
  TempDir dir;
  std::string broken = dir.write("broken.yaml", "apiVersion: v1\nkind: Pod\n---\nmetadata: [\n");
  std::istringstream no_stdin;
  auto loaded = load_manifests({dir.path() + "/missing.yaml", broken}, no_stdin);
  ASSERT_FALSE(loaded.ok());
  EXPECT_THAT(loaded.error().message,
              HasSubstr(dir.path() + "/missing.yaml: no such file or directory"));
  EXPECT_THAT(loaded.error().message, HasSubstr(broken + ": document 2: line "));
  EXPECT_THAT(loaded.error().message, HasSubstr("invalid YAML"));
}

}  // namespace
}  // namespace castellan::api
