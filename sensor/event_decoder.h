#pragma once
// EventDecoder: ring buffer record → Event, with one decoder registered per event type, so
// adding an event type touches one place.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>

#include "common/result.h"
#include "sensor/event.h"

namespace castellan::sensor {

class EventDecoder {
 public:
  // Decodes a record of a known type whose size has already been checked.
  using DecodeFn = std::function<Result<Event>(std::span<const std::byte>)>;

  // Registers decode for records of `type` at least `min_size` bytes long.
  void add(uint32_t type, size_t min_size, DecodeFn decode);

  // Rejects records too short, of an unknown type, or whose header size disagrees.
  Result<Event> decode(std::span<const std::byte> record) const;

  // Decoders for every event type in sensor/abi/sensor_abi.h.
  static EventDecoder with_sensor_events();

 private:
  struct Entry {
    size_t min_size;
    DecodeFn decode;
  };
  std::map<uint32_t, Entry> decoders_;
};

}  // namespace castellan::sensor
