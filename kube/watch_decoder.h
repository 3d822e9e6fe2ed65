#pragma once
// WatchDecoder: turns the bytes of a watch response, as they arrive in arbitrary pieces, into
// WatchEvents. Objects are found by their JSON boundaries, so both newline-delimited and
// back-to-back framing decode, and an object split across reads is held until complete.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "kube/api_client.h"

namespace castellan::kube {

class WatchDecoder {
 public:
  // An event larger than this is refused rather than buffered without bound.
  static constexpr std::size_t kDefaultMaxEventBytes = 64 * 1024 * 1024;

  explicit WatchDecoder(std::size_t max_event_bytes = kDefaultMaxEventBytes)
      : max_event_bytes_(max_event_bytes) {}

  // Decodes every event completed by `data`, calling on_event for each; stops early (Ok) when
  // on_event returns false. An error (malformed framing, JSON or event) is final.
  Status feed(std::string_view data, const std::function<bool(WatchEvent&&)>& on_event);

  // Bytes of an incomplete event held for the next feed.
  std::size_t pending_bytes() const { return buffer_.size(); }
  std::size_t events_decoded() const { return events_; }

 private:
  Status emit(std::string_view text, const std::function<bool(WatchEvent&&)>& on_event,
              bool& keep_going);

  std::size_t max_event_bytes_;
  std::string buffer_;  // the unfinished object, from its '{'
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t events_ = 0;
  bool failed_ = false;
};

}  // namespace castellan::kube
