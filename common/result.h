#pragma once
// Result<T>: a value or an error a user can act on. No exceptions cross module boundaries.

#include <string>
#include <utility>
#include <variant>

namespace castellan {

struct Error {
  std::string message;
  // Optional machine-readable classification, e.g. "NotFound", "Conflict", "Invalid".
  std::string reason;
  // HTTP status code where the error came from an HTTP peer (0 otherwise).
  int code = 0;

  static Error make(std::string message, std::string reason = {}, int code = 0) {
    return Error{std::move(message), std::move(reason), code};
  }
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace castellan
