#pragma once
// The serving certificate: loaded from PEM files (or PEM text, e.g. from a Secret) into an
// SSL context that is swapped atomically. A connection keeps the context it was accepted
// with, so a reload never drops a connection; new connections get the new certificate.

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <sys/stat.h>

#include "common/result.h"

namespace castellan::webhook {

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// TLS 1.2 and 1.3 only, forward-secret AEAD suites, X25519 and P-256 key exchange.
Result<SslContextPtr> make_server_context(const std::string& cert_pem, const std::string& key_pem);

class TlsContextProvider {
 public:
  static Result<std::unique_ptr<TlsContextProvider>> from_files(std::string cert_file,
                                                                std::string key_file);
  static Result<std::unique_ptr<TlsContextProvider>> from_pem(const std::string& cert_pem,
                                                              const std::string& key_pem);

  SslContextPtr current() const { return context_.load(); }

  // Reloads the files when either changed (mtime, size or inode). Returns true when a new
  // certificate is now served; an error (and the old certificate kept) when the new files do
  // not load, e.g. a key that does not match, often a half-written pair: tried again next call.
  Result<bool> reload_if_changed();

  // Serves a new pair given as PEM text (a Secret watcher's seam).
  Status set_pem(const std::string& cert_pem, const std::string& key_pem);

  const std::string& cert_file() const { return cert_file_; }

 private:
  struct FileStamp {
    bool operator==(const FileStamp&) const = default;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    uint64_t inode = 0;
  };
  static Result<FileStamp> stamp(const std::string& path);
  Status load_files();

  std::string cert_file_;
  std::string key_file_;
  FileStamp cert_stamp_;
  FileStamp key_stamp_;
  std::atomic<SslContextPtr> context_;
};

using TlsContextProviderPtr = std::unique_ptr<TlsContextProvider>;

}  // namespace castellan::webhook
