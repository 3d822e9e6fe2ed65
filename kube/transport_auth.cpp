#include "kube/transport_auth.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace castellan::kube {
namespace {

std::string trim(std::string s) {
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!s.empty() && space(s.back())) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && space(s[i])) ++i;
  return s.substr(i);
}

}  // namespace

Result<std::string> FileTokenSource::token() {
  std::lock_guard lock(mu_);
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0)
    return Error::make("cannot read token file " + path_ + ": " + std::strerror(errno));
  bool changed = st.st_size != size_ || st.st_mtim.tv_sec != mtime_.tv_sec ||
                 st.st_mtim.tv_nsec != mtime_.tv_nsec;
  if (!changed && !token_.empty()) return token_;
  std::ifstream in(path_);
  if (!in) return Error::make("cannot read token file " + path_ + ": " + std::strerror(errno));
  std::stringstream content;
  content << in.rdbuf();
  std::string token = trim(content.str());
  if (token.empty()) return Error::make("token file " + path_ + " is empty");
  token_ = std::move(token);
  mtime_ = st.st_mtim;
  size_ = st.st_size;
  return token_;
}

bool FileTokenSource::invalidate() {
  std::lock_guard lock(mu_);
  std::string before = token_;
  size_ = -1;
  token_.clear();
  // Worth a retry only when the file now holds another token.
  std::ifstream in(path_);
  if (!in) return false;
  std::stringstream content;
  content << in.rdbuf();
  return trim(content.str()) != before;
}

}  // namespace castellan::kube
