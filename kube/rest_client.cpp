#include "kube/rest_client.h"

#include "kube/api_error.h"
#include "kube/watch_decoder.h"

namespace castellan::kube {
namespace {

std::string escape(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

class Query {
 public:
  Query& add(const std::string& key, const std::string& value) {
    if (value.empty()) return *this;
    text_ += (text_.empty() ? "?" : "&") + key + "=" + escape(value);
    return *this;
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

std::string collection_path(const GroupVersionResource& gvr, const std::string& namespace_) {
  std::string path = gvr.api_path();
  if (gvr.namespaced && !namespace_.empty()) path += "/namespaces/" + escape(namespace_);
  return path + "/" + gvr.resource;
}

std::string object_path(const GroupVersionResource& gvr, const std::string& namespace_,
                        const std::string& name, const std::string& subresource) {
  std::string path = collection_path(gvr, namespace_) + "/" + escape(name);
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

std::string metadata_string(const nlohmann::json& object, const char* key) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return {};
  auto value = metadata->find(key);
  return value != metadata->end() && value->is_string() ? value->get<std::string>() : std::string();
}

Result<std::string> dump(const nlohmann::json& object) {
  try {
    return object.dump();
  } catch (const nlohmann::json::exception& e) {
    return Error::make(std::string("cannot encode the request body: ") + e.what());
  }
}

const char* patch_content_type(PatchType type) {
  switch (type) {
    case PatchType::Json:
      return "application/json-patch+json";
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::StrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::Apply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

}  // namespace

RestClient::RestClient(TransportPtr transport) : transport_(std::move(transport)) {}

Result<nlohmann::json> RestClient::call(const HttpRequest& request) {
  auto response = transport_->round_trip(request);
  if (!response.ok()) return response.error();
  if (response->status < 200 || response->status >= 300)
    return api_error(response->status, response->body);
  if (response->body.empty()) return nlohmann::json::object();
  auto json = nlohmann::json::parse(response->body, nullptr, false);
  if (json.is_discarded())
    return Error::make("the answer to " + request.method + " " + request.target +
                       " is not valid JSON (content type \"" + response->content_type + "\")");
  return json;
}

Result<nlohmann::json> RestClient::get_path(const std::string& path) {
  return call(HttpRequest{"GET", path, {}, {}, true});
}

Result<nlohmann::json> RestClient::get(const GroupVersionResource& gvr,
                                       const std::string& namespace_, const std::string& name,
                                       const std::string& subresource) {
  if (name.empty()) return Error::make("get " + gvr.resource + ": name is empty", "BadRequest");
  return call(HttpRequest{"GET", object_path(gvr, namespace_, name, subresource), {}, {}, true});
}

Result<nlohmann::json> RestClient::list(const GroupVersionResource& gvr,
                                        const std::string& namespace_, const ListOptions& options) {
  Query query;
  query.add("labelSelector", options.labelSelector)
      .add("fieldSelector", options.fieldSelector)
      .add("limit", options.limit > 0 ? std::to_string(options.limit) : "")
      .add("continue", options.continueToken)
      .add("resourceVersion", options.resourceVersion);
  return call(HttpRequest{"GET", collection_path(gvr, namespace_) + query.str(), {}, {}, true});
}

Result<nlohmann::json> RestClient::create(const GroupVersionResource& gvr,
                                          const std::string& namespace_,
                                          const nlohmann::json& object) {
  std::string ns = namespace_.empty() ? metadata_string(object, "namespace") : namespace_;
  if (gvr.namespaced && ns.empty())
    return Error::make("create " + gvr.resource + ": a namespace is required", "BadRequest");
  auto body = dump(object);
  if (!body.ok()) return body.error();
  return call(HttpRequest{"POST", collection_path(gvr, ns), "application/json", *body, false});
}

Result<nlohmann::json> RestClient::update(const GroupVersionResource& gvr,
                                          const std::string& namespace_,
                                          const nlohmann::json& object,
                                          const std::string& subresource) {
  std::string name = metadata_string(object, "name");
  if (name.empty())
    return Error::make("update " + gvr.resource + ": metadata.name is empty", "BadRequest");
  std::string ns = namespace_.empty() ? metadata_string(object, "namespace") : namespace_;
  if (gvr.namespaced && ns.empty())
    return Error::make("update " + gvr.resource + ": a namespace is required", "BadRequest");
  auto body = dump(object);
  if (!body.ok()) return body.error();
  return call(
      HttpRequest{"PUT", object_path(gvr, ns, name, subresource), "application/json", *body, true});
}

Result<nlohmann::json> RestClient::patch(const GroupVersionResource& gvr,
                                         const std::string& namespace_, const std::string& name,
                                         PatchType type, const std::string& body,
                                         const PatchOptions& options) {
  if (name.empty()) return Error::make("patch " + gvr.resource + ": name is empty", "BadRequest");
  if (type == PatchType::Apply && options.fieldManager.empty())
    return Error::make("apply " + gvr.resource + "/" + name + ": fieldManager is required",
                       "BadRequest");
  Query query;
  query.add("fieldManager", options.fieldManager)
      .add("force", type == PatchType::Apply && options.force ? "true" : "");
  // Apply states the whole intent, so repeating it is safe; other patches may not be.
  return call(HttpRequest{"PATCH",
                          object_path(gvr, namespace_, name, options.subresource) + query.str(),
                          patch_content_type(type), body, type == PatchType::Apply});
}

Status RestClient::remove(const GroupVersionResource& gvr, const std::string& namespace_,
                          const std::string& name, const DeleteOptions& options) {
  if (name.empty()) return Error::make("delete " + gvr.resource + ": name is empty", "BadRequest");
  nlohmann::json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!options.propagationPolicy.empty()) body["propagationPolicy"] = options.propagationPolicy;
  if (!options.preconditionUid.empty()) body["preconditions"]["uid"] = options.preconditionUid;
  if (!options.preconditionResourceVersion.empty())
    body["preconditions"]["resourceVersion"] = options.preconditionResourceVersion;
  auto result = call(HttpRequest{"DELETE", object_path(gvr, namespace_, name, {}),
                                 "application/json", body.dump(), true});
  if (!result.ok()) return result.error();
  return Status::Ok();
}

Status RestClient::watch(const GroupVersionResource& gvr, const std::string& namespace_,
                         const WatchOptions& options,
                         const std::function<bool(const WatchEvent&)>& on_event,
                         const std::atomic<bool>& stop) {
  Query query;
  query.add("watch", "true")
      .add("resourceVersion", options.resourceVersion)
      .add("labelSelector", options.labelSelector)
      .add("fieldSelector", options.fieldSelector)
      .add("allowWatchBookmarks", options.allowWatchBookmarks ? "true" : "")
      .add("timeoutSeconds",
           options.timeoutSeconds > 0 ? std::to_string(options.timeoutSeconds) : "");
  std::string target = collection_path(gvr, namespace_) + query.str();
  WatchDecoder decoder;
  Status decode_status;
  bool handler_stopped = false;
  auto on_data = [&](std::string_view data) {
    decode_status = decoder.feed(data, [&](WatchEvent&& event) {
      if (!on_event(event)) handler_stopped = true;
      return !handler_stopped;
    });
    return decode_status.ok() && !handler_stopped;
  };
  // A server that stops answering past its own timeout is treated as a broken stream.
  std::optional<std::chrono::milliseconds> max_duration;
  if (options.timeoutSeconds > 0)
    max_duration = std::chrono::seconds(options.timeoutSeconds) + std::chrono::seconds(30);
  auto outcome =
      transport_->stream(HttpRequest{"GET", target, {}, {}, true}, on_data, stop, max_duration);
  if (!outcome.ok()) return outcome.error();
  if (outcome->status != 200 && outcome->status != 0)
    return api_error(outcome->status, outcome->body);
  if (!decode_status.ok()) return decode_status.error();
  if (outcome->stopped) return Status::Ok();
  return Error::make("watch of " + gvr.resource + " ended after " +
                         std::to_string(decoder.events_decoded()) + " events" +
                         (decoder.pending_bytes() > 0 ? " in the middle of an event" : ""),
                     "StreamEnded");
}

Result<RestClientPtr> make_rest_client(const ClientConfig& config) {
  auto transport = make_transport(config);
  if (!transport.ok()) return transport.error();
  return std::make_shared<RestClient>(std::move(*transport));
}

}  // namespace castellan::kube
