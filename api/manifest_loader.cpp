#include "api/manifest_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/yaml_json.h"
#include "common/json_fields.h"

namespace castellan::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string prefix(const std::string& source, int document, const std::string& item = {}) {
  std::string out = source + ": document " + std::to_string(document);
  if (!item.empty()) out += ", " + item;
  return out + ": ";
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// Appends a document's manifests (a List is flattened) or records why it is not one.
void add_document(json value, const std::string& source, int document, const std::string& item,
                  std::vector<Manifest>& out, std::vector<std::string>& errors) {
  if (value.is_null()) return;
  const std::string where = prefix(source, document, item);
  if (!value.is_object()) {
    errors.push_back(where + "expected a Kubernetes object (a mapping), got " +
                     std::string(value.is_array() ? "a list" : "a scalar"));
    return;
  }
  auto api_version = value.find("apiVersion");
  auto kind = value.find("kind");
  if (api_version == value.end() || !api_version->is_string() || api_version->empty()) {
    errors.push_back(where + "apiVersion: is required (a non-empty string)");
    return;
  }
  if (kind == value.end() || !kind->is_string() || kind->empty()) {
    errors.push_back(where + "kind: is required (a non-empty string)");
    return;
  }
  const std::string kind_name = kind->get<std::string>();
  if (kind_name.size() >= 4 && kind_name.ends_with("List") && value.contains("items")) {
    const json& items = value["items"];
    if (!items.is_array() && !items.is_null()) {
      errors.push_back(where + "items: must be a list");
      return;
    }
    if (items.is_null()) return;
    const std::string item_kind =
        kind_name == "List" ? "" : kind_name.substr(0, kind_name.size() - 4);
    for (size_t i = 0; i < items.size(); ++i) {
      json entry = items[i];
      if (entry.is_object() && !item_kind.empty()) {
        if (!entry.contains("kind")) entry["kind"] = item_kind;
        if (!entry.contains("apiVersion")) entry["apiVersion"] = *api_version;
      }
      std::string child = (item.empty() ? "" : item + ".") + "items[" + std::to_string(i) + "]";
      add_document(std::move(entry), source, document, child, out, errors);
    }
    return;
  }
  out.push_back(Manifest{std::move(value), source, document, item});
}

// Line and column (1-based) of byte `offset` in `text`.
std::pair<int, int> position(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, static_cast<int>(offset - line_start) + 1};
}

// A stream of JSON values; false with `error` set on a syntax error.
bool parse_json_stream(std::string_view text, std::vector<json>& values, std::string& error) {
  std::istringstream in{std::string(text)};
  while (true) {
    in >> std::ws;
    if (in.peek() == std::char_traits<char>::eof()) return true;
    const auto start = static_cast<size_t>(in.tellg());
    try {
      json value;
      in >> value;
      values.push_back(std::move(value));
    } catch (const json::parse_error& e) {
      auto [line, column] = position(text, start + (e.byte > 0 ? e.byte - 1 : 0));
      std::string what = e.what();
      auto detail = what.find(": ", what.find("column"));
      error = "document " + std::to_string(values.size() + 1) + ": line " + std::to_string(line) +
              ", column " + std::to_string(column) +
              ": invalid JSON: " + (detail == std::string::npos ? what : what.substr(detail + 2));
      return false;
    }
  }
}

bool has_manifest_extension(const fs::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

void load_file(const fs::path& path, std::vector<Manifest>& out, std::vector<std::string>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(path.string() + ": cannot read file: " + std::strerror(errno));
    return;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    errors.push_back(path.string() + ": cannot read file");
    return;
  }
  auto parsed = parse_manifests(buffer.str(), path.string(), path.extension() == ".json");
  if (!parsed.ok()) {
    errors.push_back(parsed.error().message);
    return;
  }
  for (auto& m : *parsed) out.push_back(std::move(m));
}

void load_directory(const fs::path& dir, std::vector<Manifest>& out,
                    std::vector<std::string>& errors) {
  std::vector<fs::path> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::follow_directory_symlink, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && has_manifest_extension(it->path())) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    errors.push_back(dir.string() + ": cannot read directory: " + ec.message());
    return;
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) load_file(f, out, errors);
}

}  // namespace

std::string Manifest::location() const {
  std::string out = source + ", document " + std::to_string(document);
  if (!item.empty()) out += ", " + item;
  return out;
}

std::string Manifest::kind() const { return string_field(object, "kind"); }
std::string Manifest::api_version() const { return string_field(object, "apiVersion"); }
std::string Manifest::name() const {
  return object.contains("metadata") ? string_field(object["metadata"], "name") : std::string();
}
std::string Manifest::namespace_name() const {
  return object.contains("metadata") ? string_field(object["metadata"], "namespace") : std::string();
}

Result<std::vector<Manifest>> parse_manifests(std::string_view text, const std::string& source,
                                              bool json_only) {
  std::vector<Manifest> out;
  std::vector<std::string> errors;
  const size_t first = text.find_first_not_of(" \t\r\n");
  const bool looks_json =
      first != std::string_view::npos && (text[first] == '{' || text[first] == '[');
  if (json_only || looks_json) {
    std::vector<json> values;
    std::string error;
    if (parse_json_stream(text, values, error)) {
      for (size_t i = 0; i < values.size(); ++i) {
        add_document(std::move(values[i]), source, static_cast<int>(i) + 1, "", out, errors);
      }
      if (!errors.empty()) return Error::make(join_lines(errors), "Invalid");
      return out;
    }
    if (json_only) return Error::make(source + ": " + error, "Invalid");
  }
  auto parsed = parse_yaml_documents(text);
  for (size_t i = 0; i < parsed.documents.size(); ++i) {
    add_document(std::move(parsed.documents[i].value), source, static_cast<int>(i) + 1, "", out,
                 errors);
  }
  if (parsed.error) {
    const auto& e = *parsed.error;
    errors.push_back(source + ": document " + std::to_string(e.document) + ": line " +
                     std::to_string(e.line) + ", column " + std::to_string(e.column) +
                     ": invalid YAML: " + e.message);
  }
  if (!errors.empty()) return Error::make(join_lines(errors), "Invalid");
  return out;
}

Result<std::vector<Manifest>> load_manifests(const std::vector<std::string>& paths,
                                             std::istream& stdin_stream) {
  std::vector<Manifest> out;
  std::vector<std::string> errors;
  bool stdin_read = false;
  for (const auto& p : paths) {
    if (p == "-") {
      if (stdin_read) {
        errors.push_back("-: stdin can be read only once");
        continue;
      }
      stdin_read = true;
      std::stringstream buffer;
      buffer << stdin_stream.rdbuf();
      auto parsed = parse_manifests(buffer.str(), kStdinSource);
      if (!parsed.ok()) {
        errors.push_back(parsed.error().message);
        continue;
      }
      for (auto& m : *parsed) out.push_back(std::move(m));
      continue;
    }
    std::error_code ec;
    const fs::path path(p);
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      errors.push_back(p + ": no such file or directory");
    } else if (fs::is_directory(status)) {
      load_directory(path, out, errors);
    } else {
      load_file(path, out, errors);
    }
  }
  if (!errors.empty()) return Error::make(join_lines(errors), "Invalid");
  return out;
}

}  // namespace castellan::api
