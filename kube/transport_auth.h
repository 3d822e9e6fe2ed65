#pragma once
// BearerTokenSource: where the Authorization header's token comes from. A static token, a token
// file re-read when it changes (rotated service account tokens), or an exec plugin
// (exec_credential.h). invalidate() follows a 401, so the next token() fetches anew.

#include <sys/stat.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"

namespace castellan::kube {

class BearerTokenSource {
 public:
  virtual ~BearerTokenSource() = default;
  // "" when requests go without a bearer token.
  virtual Result<std::string> token() = 0;
  // Called after a 401; returns true when a fresh token may differ (worth one more try).
  virtual bool invalidate() { return false; }
};

using BearerTokenSourcePtr = std::shared_ptr<BearerTokenSource>;

class StaticTokenSource : public BearerTokenSource {
 public:
  explicit StaticTokenSource(std::string token) : token_(std::move(token)) {}
  Result<std::string> token() override { return token_; }

 private:
  std::string token_;
};

// Re-reads the file whenever its modification time or size changes.
class FileTokenSource : public BearerTokenSource {
 public:
  explicit FileTokenSource(std::string path) : path_(std::move(path)) {}
  Result<std::string> token() override;
  bool invalidate() override;

 private:
  std::string path_;
  std::mutex mu_;
  std::string token_;
  struct timespec mtime_ {};
  off_t size_ = -1;
};

}  // namespace castellan::kube
