#include "policy/json_patch.h"

#include <vector>

namespace castellan::policy {
namespace {

using nlohmann::json;
using Tokens = std::vector<std::string>;

Result<Tokens> parse_pointer(const std::string& pointer) {
  Tokens tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') {
    return Error::make("pointer \"" + pointer + "\" must be empty or start with '/'", "Invalid");
  }
  std::string token;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
    } else if (pointer[i] == '~') {
      const char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
      if (next != '0' && next != '1') {
        return Error::make("pointer \"" + pointer + "\" has '~' not followed by 0 or 1", "Invalid");
      }
      token += next == '0' ? '~' : '/';
      ++i;
    } else {
      token += pointer[i];
    }
  }
  return tokens;
}

// Array index per RFC 6901: "0" or digits without a leading zero. Returns false otherwise.
bool parse_index(const std::string& token, size_t& index) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) return false;
  index = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    index = index * 10 + static_cast<size_t>(c - '0');
  }
  return true;
}

Error fail(const std::string& what) { return Error::make(what, "Invalid"); }

// Walks all tokens; null when the location does not exist.
json* resolve(json& doc, const Tokens& tokens, size_t count) {
  json* node = &doc;
  for (size_t i = 0; i < count; ++i) {
    const std::string& t = tokens[i];
    if (node->is_object()) {
      const auto it = node->find(t);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      size_t index = 0;
      if (!parse_index(t, index) || index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
  }
  return node;
}

Status add(json& doc, const std::string& path, const Tokens& tokens, json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return Status::Ok();
  }
  json* parent = resolve(doc, tokens, tokens.size() - 1);
  if (parent == nullptr) return fail("parent of \"" + path + "\" does not exist");
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
  } else if (parent->is_array()) {
    size_t index = parent->size();
    if (last != "-" && (!parse_index(last, index) || index > parent->size())) {
      return fail("\"" + path + "\": index " + last + " is out of range for an array of " +
                  std::to_string(parent->size()));
    }
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(index), std::move(value));
  } else {
    return fail("parent of \"" + path + "\" is neither an object nor an array");
  }
  return Status::Ok();
}

Status remove(json& doc, const std::string& path, const Tokens& tokens) {
  if (tokens.empty()) return fail("cannot remove the whole document");
  json* parent = resolve(doc, tokens, tokens.size() - 1);
  const std::string& last = tokens.back();
  size_t index = 0;
  if (parent != nullptr && parent->is_object() && parent->contains(last)) {
    parent->erase(last);
  } else if (parent != nullptr && parent->is_array() && parse_index(last, index) &&
             index < parent->size()) {
    parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(index));
  } else {
    return fail("\"" + path + "\" does not exist");
  }
  return Status::Ok();
}

Result<std::string> member(const json& op, const char* name) {
  const auto it = op.find(name);
  if (it == op.end() || !it->is_string()) {
    return fail(std::string("\"") + name + "\" is missing or not a string");
  }
  return it->get<std::string>();
}

Status apply_one(json& doc, const json& op) {
  if (!op.is_object()) return fail("operation is not an object");
  const auto name = member(op, "op");
  if (!name) return name.error();
  const auto path = member(op, "path");
  if (!path) return path.error();
  const auto tokens = parse_pointer(*path);
  if (!tokens) return tokens.error();
  const auto value = op.find("value");
  const bool needs_value = *name == "add" || *name == "replace" || *name == "test";
  if (needs_value && value == op.end()) return fail(*name + " needs a \"value\"");

  if (*name == "add") return add(doc, *path, *tokens, *value);
  if (*name == "remove") return remove(doc, *path, *tokens);
  if (*name == "replace") {
    json* target = resolve(doc, *tokens, tokens->size());
    if (target == nullptr) return fail("\"" + *path + "\" does not exist");
    *target = *value;
    return Status::Ok();
  }
  if (*name == "test") {
    const json* target = resolve(doc, *tokens, tokens->size());
    if (target == nullptr) return fail("\"" + *path + "\" does not exist");
    if (*target != *value) return fail("test failed: \"" + *path + "\" is " + target->dump());
    return Status::Ok();
  }
  if (*name == "move" || *name == "copy") {
    const auto from = member(op, "from");
    if (!from) return from.error();
    const auto from_tokens = parse_pointer(*from);
    if (!from_tokens) return from_tokens.error();
    const json* source = resolve(doc, *from_tokens, from_tokens->size());
    if (source == nullptr) return fail("\"" + *from + "\" does not exist");
    json moved = *source;
    if (*name == "move") {
      if (path->compare(0, from->size() + 1, *from + "/") == 0) {
        return fail("cannot move \"" + *from + "\" into its own child \"" + *path + "\"");
      }
      if (const Status s = remove(doc, *from, *from_tokens); !s) return s;
    }
    return add(doc, *path, *tokens, std::move(moved));
  }
  return fail("unknown op \"" + *name + "\"");
}

}  // namespace

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

Result<json> apply_json_patch(const json& document, const json& patch) {
  if (!patch.is_array()) return fail("JSON patch must be an array of operations");
  json doc = document;
  for (size_t i = 0; i < patch.size(); ++i) {
    if (const Status s = apply_one(doc, patch[i]); !s) {
      return fail("patch[" + std::to_string(i) + "]: " + s.error().message);
    }
  }
  return doc;
}

}  // namespace castellan::policy
