#include "api/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <regex>
#include <set>

namespace castellan::api {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 256;
// Bounds alias expansion ("billion laughs") to a size no manifest reaches.
constexpr size_t kMaxNodes = 4'000'000;

struct ConvertError {
  YAML::Mark mark;
  std::string message;
};

const std::string kTagPrefix = "tag:yaml.org,2002:";

bool is_null_word(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> bool_word(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return std::nullopt;
}

// Integer per the core schema; nullopt when `s` is not an integer literal.
std::optional<json> int_literal(const std::string& s) {
  static const std::regex decimal("[-+]?[0-9]+");
  static const std::regex octal("0o[0-7]+");
  static const std::regex hex("0x[0-9a-fA-F]+");
  int base = 10;
  std::string digits = s;
  if (std::regex_match(s, octal)) {
    base = 8;
    digits = s.substr(2);
  } else if (std::regex_match(s, hex)) {
    base = 16;
    digits = s.substr(2);
  } else if (!std::regex_match(s, decimal)) {
    return std::nullopt;
  }
  bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits = digits.substr(1);
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (ec == std::errc::result_out_of_range) return json(std::strtod(s.c_str(), nullptr));
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  if (!negative) {
    if (magnitude <= static_cast<uint64_t>(INT64_MAX)) return json(static_cast<int64_t>(magnitude));
    return json(magnitude);
  }
  if (magnitude <= static_cast<uint64_t>(INT64_MAX) + 1) {
    return json(static_cast<int64_t>(0 - magnitude));
  }
  return json(-static_cast<double>(magnitude));
}

enum class FloatKind { NotFloat, Finite, NonFinite };

FloatKind float_literal(const std::string& s, double& out) {
  static const std::regex number("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  static const std::regex special("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  if (std::regex_match(s, special)) return FloatKind::NonFinite;
  if (!std::regex_match(s, number)) return FloatKind::NotFloat;
  out = std::strtod(s.c_str(), nullptr);
  return std::isfinite(out) ? FloatKind::Finite : FloatKind::NonFinite;
}

class Converter {
 public:
  json convert(const YAML::Node& node, int depth) {
    if (++nodes_ > kMaxNodes) throw ConvertError{node.Mark(), "document is too large (aliases)"};
    if (depth > kMaxDepth) throw ConvertError{node.Mark(), "nesting is too deep"};
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return scalar_with_tag(node, "");
      case YAML::NodeType::Scalar:
        return scalar_with_tag(node, node.Scalar());
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& item : node) out.push_back(convert(item, depth + 1));
        return out;
      }
      case YAML::NodeType::Map:
        return mapping(node, depth);
    }
    return nullptr;
  }

 private:
  json scalar_with_tag(const YAML::Node& node, const std::string& text) {
    const std::string& tag = node.Tag();
    if (tag == "!") return text;  // quoted or block scalar: always a string
    if (tag.empty() || tag == "?" || tag.rfind(kTagPrefix, 0) != 0)
      return resolve_plain(node, text);
    const std::string type = tag.substr(kTagPrefix.size());
    if (type == "str" || type == "binary" || type == "timestamp") return text;
    json value = resolve_plain(node, text);
    if (type == "null" && value.is_null()) return value;
    if (type == "bool" && value.is_boolean()) return value;
    if (type == "int" && value.is_number_integer()) return value;
    if (type == "float" && value.is_number()) return json(value.get<double>());
    throw ConvertError{node.Mark(), "\"" + text + "\" is not a valid !!" + type};
  }

  json resolve_plain(const YAML::Node& node, const std::string& text) {
    if (node.Type() == YAML::NodeType::Null || is_null_word(text)) return nullptr;
    if (auto b = bool_word(text)) return *b;
    if (auto i = int_literal(text)) return *i;
    double d = 0;
    switch (float_literal(text, d)) {
      case FloatKind::Finite:
        return d;
      case FloatKind::NonFinite:
        throw ConvertError{node.Mark(), "\"" + text +
                                            "\" cannot be represented in JSON (quote "
                                            "it to make it a string)"};
      case FloatKind::NotFloat:
        break;
    }
    return text;
  }

  json mapping(const YAML::Node& node, int depth) {
    json out = json::object();
    std::vector<const YAML::Node*> merges;
    std::vector<YAML::Node> merge_values;
    for (const auto& pair : node) {
      const YAML::Node& key = pair.first;
      if (key.Type() != YAML::NodeType::Scalar && key.Type() != YAML::NodeType::Null) {
        throw ConvertError{key.Mark(), "mapping keys must be scalars"};
      }
      const std::string name = key.Type() == YAML::NodeType::Null ? "" : key.Scalar();
      if (name == "<<" && key.Tag() != "!") {
        merge_values.push_back(pair.second);
        continue;
      }
      if (out.contains(name)) throw ConvertError{key.Mark(), "duplicate key \"" + name + "\""};
      out[name] = convert(pair.second, depth + 1);
    }
    // Explicit keys win over merged ones; earlier merge sources win over later ones.
    for (const auto& value : merge_values) {
      std::vector<YAML::Node> sources;
      if (value.IsMap()) {
        sources.push_back(value);
      } else if (value.IsSequence()) {
        for (const auto& s : value) sources.push_back(s);
      }
      for (const auto& source : sources) {
        if (!source.IsMap()) throw ConvertError{value.Mark(), "merge key << needs a mapping"};
        json merged = convert(source, depth + 1);
        for (auto& [k, v] : merged.items()) {
          if (!out.contains(k)) out[k] = v;
        }
      }
      if (sources.empty()) throw ConvertError{value.Mark(), "merge key << needs a mapping"};
    }
    return out;
  }

  size_t nodes_ = 0;
};

bool is_separator(std::string_view line) {
  if (line.substr(0, 3) != "---") return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r';
}

struct Chunk {
  std::string text;
  int first_line = 0;  // 0-based line of the chunk's first line in the stream
};

// Splits at `---` lines so that an error can be pinned to its document.
std::vector<Chunk> split_documents(std::string_view text) {
  std::vector<Chunk> chunks(1);
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    if (is_separator(line)) chunks.push_back(Chunk{"", line_no});
    chunks.back().text.append(line);
    chunks.back().text.push_back('\n');
    ++line_no;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return chunks;
}

}  // namespace

YamlParseResult parse_yaml_documents(std::string_view text) {
  YamlParseResult result;
  for (const auto& chunk : split_documents(text)) {
    const int document = static_cast<int>(result.documents.size()) + 1;
    try {
      std::vector<YAML::Node> nodes = YAML::LoadAll(chunk.text);
      for (const auto& node : nodes) {
        Converter converter;
        YamlDocument doc;
        doc.line = chunk.first_line + 1;
        try {
          doc.value = converter.convert(node, 0);
        } catch (const ConvertError& e) {
          result.error =
              YamlParseError{static_cast<int>(result.documents.size()) + 1,
                             chunk.first_line + e.mark.line + 1, e.mark.column + 1, e.message};
          return result;
        }
        result.documents.push_back(std::move(doc));
      }
    } catch (const YAML::Exception& e) {
      // Some yaml-cpp errors carry no position (a null mark); point at the document then.
      const bool positioned = !e.mark.is_null();
      result.error = YamlParseError{document, chunk.first_line + (positioned ? e.mark.line : 0) + 1,
                                    positioned ? e.mark.column + 1 : 1, e.msg};
      return result;
    }
  }
  return result;
}

}  // namespace castellan::api
