#pragma once
// Cidr: an IPv4 or IPv6 network, as connect rules name their exceptions.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace castellan::sensor {

struct Cidr {
  int family = 4;                      // 4 or 6
  std::array<uint8_t, 16> addr{};      // network byte order; IPv4 uses the first 4 bytes
  uint32_t prefix_len = 0;             // bits

  // "10.0.0.0/8", "fd00::/8"; a bare address is a host route (/32 or /128).
  static Result<Cidr> parse(std::string_view text);

  // The same network as an IPv4-mapped IPv6 network (::ffff:a.b.c.d/96+len); IPv6 unchanged.
  Cidr as_ipv6() const;
  bool contains(const Cidr& other) const;
  // Address of `family` (4 or 6) in network byte order.
  bool contains_address(int family, const uint8_t* address) const;
  std::string str() const;
};

// "10.1.2.3" or "::1" from network-order bytes.
std::string format_address(int family, const uint8_t* address);

}  // namespace castellan::sensor
