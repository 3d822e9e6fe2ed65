#pragma once
// FieldError: one problem found in an object, located by its field path.

#include <string>
#include <vector>

namespace castellan::api {

struct FieldError {
  std::string field;    // e.g. spec.images.allowedRegistries[2]
  std::string message;  // what is wrong, e.g. "reg istry/*" is not a valid registry pattern

  // "field: message", the form users see.
  std::string str() const { return field.empty() ? message : field + ": " + message; }
};

using FieldErrors = std::vector<FieldError>;

// Joins str() of every error with `separator`.
std::string join(const FieldErrors& errors, const std::string& separator = "\n");

}  // namespace castellan::api
