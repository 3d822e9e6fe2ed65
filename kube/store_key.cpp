#include "kube/store_key.h"

namespace castellan::kube {

Result<std::string> object_key(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (!object.is_object() || metadata == object.end() || !metadata->is_object()) {
    return Error::make("object has no metadata", "Invalid");
  }
  auto name = metadata->find("name");
  if (name == metadata->end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return Error::make("object has no metadata.name", "Invalid");
  }
  auto ns = metadata->find("namespace");
  if (ns != metadata->end() && ns->is_string() && !ns->get_ref<const std::string&>().empty()) {
    return ns->get<std::string>() + "/" + name->get<std::string>();
  }
  return name->get<std::string>();
}

std::string_view key_namespace(std::string_view key) {
  auto slash = key.find('/');
  return slash == std::string_view::npos ? std::string_view{} : key.substr(0, slash);
}

std::string_view key_name(std::string_view key) {
  auto slash = key.find('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

std::string object_resource_version(const nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  auto rv = metadata->find("resourceVersion");
  if (rv == metadata->end() || !rv->is_string()) return {};
  return rv->get<std::string>();
}

}  // namespace castellan::kube
