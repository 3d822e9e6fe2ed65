#include "kube/watch_decoder.h"

#include <nlohmann/json.hpp>

namespace castellan::kube {
namespace {

std::string excerpt(std::string_view text) {
  constexpr std::size_t kMax = 120;
  std::string out(text.substr(0, kMax));
  if (text.size() > kMax) out += "...";
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

Status WatchDecoder::feed(std::string_view data,
                          const std::function<bool(WatchEvent&&)>& on_event) {
  if (failed_) return Error::make("watch stream: decoding stopped at an earlier error");
  std::size_t i = 0;
  while (i < data.size()) {
    if (buffer_.empty() && depth_ == 0) {
      char c = data[i];
      if (is_space(c)) {
        ++i;
        continue;
      }
      if (c != '{') {
        failed_ = true;
        return Error::make("watch stream: expected '{' to start event " +
                           std::to_string(events_ + 1) + ", got '" + excerpt(data.substr(i)) + "'");
      }
    }
    std::size_t start = i;
    bool complete = false;
    for (; i < data.size(); ++i) {
      char c = data[i];
      if (in_string_) {
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
        } else if (c == '"') {
          in_string_ = false;
        }
        continue;
      }
      if (c == '"') {
        in_string_ = true;
      } else if (c == '{' || c == '[') {
        ++depth_;
      } else if ((c == '}' || c == ']') && --depth_ == 0) {
        ++i;
        complete = true;
        break;
      }
    }
    std::string_view piece = data.substr(start, i - start);
    if (buffer_.size() + piece.size() > max_event_bytes_) {
      failed_ = true;
      return Error::make("watch stream: event " + std::to_string(events_ + 1) + " exceeds " +
                         std::to_string(max_event_bytes_) + " bytes");
    }
    if (!complete) {
      buffer_.append(piece);
      continue;
    }
    bool keep_going = true;
    Status status;
    if (buffer_.empty()) {
      status = emit(piece, on_event, keep_going);
    } else {
      buffer_.append(piece);
      status = emit(buffer_, on_event, keep_going);
      buffer_.clear();
    }
    depth_ = 0;
    if (!status.ok()) {
      failed_ = true;
      return status;
    }
    if (!keep_going) return Status::Ok();
  }
  return Status::Ok();
}

Status WatchDecoder::emit(std::string_view text, const std::function<bool(WatchEvent&&)>& on_event,
                          bool& keep_going) {
  std::string where = "watch stream: event " + std::to_string(events_ + 1);
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return Error::make(where + " is not valid JSON: " + excerpt(text));
  auto type = json.find("type");
  if (type == json.end() || !type->is_string())
    return Error::make(where + " has no string field \"type\": " + excerpt(text));
  auto object = json.find("object");
  if (object == json.end() || !object->is_object())
    return Error::make(where + " has no object field \"object\": " + excerpt(text));
  WatchEvent event{type->get<std::string>(), std::move(*object)};
  ++events_;
  keep_going = on_event(std::move(event));
  return Status::Ok();
}

}  // namespace castellan::kube
