#pragma once
// Glob: a precompiled shell-style pattern for namespaces and registries.
// `*` matches any run of characters (including '/'), `?` exactly one; everything else is literal.

#include <string>
#include <string_view>

namespace castellan::policy {

class Glob {
 public:
  Glob() = default;
  explicit Glob(std::string pattern);

  bool matches(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

 private:
  enum class Kind { Literal, Anything, Prefix, General };

  std::string pattern_;
  std::string prefix_;  // literal text before the only `*` when kind_ is Prefix
  Kind kind_ = Kind::Literal;
};

}  // namespace castellan::policy
