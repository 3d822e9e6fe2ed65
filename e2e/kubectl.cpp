#include "e2e/kubectl.h"

#include <thread>

namespace castellan::e2e {

using nlohmann::json;

CommandResult Kubectl::run(const std::vector<std::string>& args, const std::string& input,
                           std::chrono::seconds timeout) const {
  std::vector<std::string> argv = {binary_, "--kubeconfig", kubeconfig_};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandOptions options;
  options.input = input;
  options.timeout = timeout;
  auto result = run_command(argv, options);
  if (!result.ok()) return CommandResult{-1, "", result.error().message};
  return *result;
}

json Kubectl::get_json(const std::vector<std::string>& args) const {
  auto all = args;
  all.insert(all.end(), {"-o", "json"});
  auto r = run(all);
  if (!r.ok()) return nullptr;
  auto parsed = json::parse(r.out, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

json Kubectl::wait_for(const std::vector<std::string>& args,
                       const std::function<bool(const json&)>& done,
                       std::chrono::seconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  json last;
  while (std::chrono::steady_clock::now() < deadline) {
    last = get_json(args);
    if (!last.is_null() && done(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  return last;
}

int64_t json_number(const json& object, const char* pointer) {
  auto value = object.is_object() ? object.value(json::json_pointer(pointer), json()) : json();
  return value.is_number_integer() ? value.get<int64_t>() : 0;
}

std::string json_text(const json& object, const char* pointer) {
  auto value = object.is_object() ? object.value(json::json_pointer(pointer), json()) : json();
  return value.is_string() ? value.get<std::string>() : std::string();
}

std::optional<json> json_condition(const json& object, const std::string& type) {
  if (!object.is_object() || !object.contains("status")) return std::nullopt;
  for (const auto& c : object["status"].value("conditions", json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return std::nullopt;
}

bool condition_is(const json& object, const std::string& type, const std::string& status) {
  auto c = json_condition(object, type);
  return c && c->value("status", "") == status;
}

}  // namespace castellan::e2e
