#include "policy/glob.h"

#include <algorithm>
#include <utility>

namespace castellan::policy {

Glob::Glob(std::string pattern) : pattern_(std::move(pattern)) {
  const auto stars = std::count(pattern_.begin(), pattern_.end(), '*');
  const bool has_question = pattern_.find('?') != std::string::npos;
  if (stars == 0 && !has_question) {
    kind_ = Kind::Literal;
  } else if (pattern_ == "*") {
    kind_ = Kind::Anything;
  } else if (stars == 1 && !has_question && pattern_.back() == '*') {
    kind_ = Kind::Prefix;
    prefix_ = pattern_.substr(0, pattern_.size() - 1);
  } else {
    kind_ = Kind::General;
  }
}

bool Glob::matches(std::string_view text) const {
  switch (kind_) {
    case Kind::Literal: return text == pattern_;
    case Kind::Anything: return true;
    case Kind::Prefix: return text.substr(0, prefix_.size()) == prefix_;
    case Kind::General: break;
  }
  // Linear-time wildcard matching: on a mismatch, retry from the last `*` one character later.
  size_t p = 0, t = 0;
  size_t star = std::string::npos, star_text = 0;
  while (t < text.size()) {
    if (p < pattern_.size() && (pattern_[p] == '?' || pattern_[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern_.size() && pattern_[p] == '*') {
      star = p++;
      star_text = t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++star_text;
    } else {
      return false;
    }
  }
  while (p < pattern_.size() && pattern_[p] == '*') ++p;
  return p == pattern_.size();
}

}  // namespace castellan::policy
