#pragma once
// RestClient: ApiClient over HTTPS (Transport: pooled keep-alive connections, throttling,
// retries). Thread-safe: every call blocks and may be made from several threads.

#include <memory>

#include "kube/api_client.h"
#include "kube/client_config.h"
#include "kube/transport.h"

namespace castellan::kube {

class RestClient : public ApiClient {
 public:
  explicit RestClient(TransportPtr transport);

  Result<nlohmann::json> get(const GroupVersionResource& gvr, const std::string& namespace_,
                             const std::string& name, const std::string& subresource = {}) override;
  Result<nlohmann::json> list(const GroupVersionResource& gvr, const std::string& namespace_,
                              const ListOptions& options = {}) override;
  Result<nlohmann::json> create(const GroupVersionResource& gvr, const std::string& namespace_,
                                const nlohmann::json& object) override;
  Result<nlohmann::json> update(const GroupVersionResource& gvr, const std::string& namespace_,
                                const nlohmann::json& object,
                                const std::string& subresource = {}) override;
  Result<nlohmann::json> patch(const GroupVersionResource& gvr, const std::string& namespace_,
                               const std::string& name, PatchType type, const std::string& body,
                               const PatchOptions& options = {}) override;
  Status remove(const GroupVersionResource& gvr, const std::string& namespace_,
                const std::string& name, const DeleteOptions& options = {}) override;
  Status watch(const GroupVersionResource& gvr, const std::string& namespace_,
               const WatchOptions& options, const std::function<bool(const WatchEvent&)>& on_event,
               const std::atomic<bool>& stop) override;

  // GET of an arbitrary path (discovery: /api, /apis, /apis/GROUP/VERSION; /readyz).
  Result<nlohmann::json> get_path(const std::string& path);

 private:
  Result<nlohmann::json> call(const HttpRequest& request);

  TransportPtr transport_;
};

using RestClientPtr = std::shared_ptr<RestClient>;

// A RestClient for `config`. Fails on unreadable TLS material or a malformed server URL.
Result<RestClientPtr> make_rest_client(const ClientConfig& config);

}  // namespace castellan::kube
