#pragma once
// Ready-made index functions for Store<T> (client-go's cache.Indexers).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "kube/store.h"

namespace castellan::kube {

inline constexpr const char* kNamespaceIndex = "namespace";

// Index by namespace, taken from the key: works for any T.
template <typename T>
typename Store<T>::IndexFunc namespace_index() {
  return [](const std::string& key, const T&) {
    auto ns = key_namespace(key);
    return ns.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::string(ns)};
  };
}

// Index JSON objects by the string at a JSON pointer, e.g. "/spec/nodeName"; absent or
// empty values are not indexed. An invalid pointer is an error.
Result<Store<nlohmann::json>::IndexFunc> json_field_index(const std::string& pointer);
// Index JSON objects by the value of one label.
Store<nlohmann::json>::IndexFunc json_label_index(const std::string& label);

}  // namespace castellan::kube
