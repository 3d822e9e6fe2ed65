#include "sensor/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace castellan::sensor {
namespace {

bool prefix_equal(const uint8_t* a, const uint8_t* b, uint32_t bits) {
  uint32_t bytes = bits / 8;
  if (std::memcmp(a, b, bytes) != 0) return false;
  uint32_t rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  std::string address(text.substr(0, text.find('/')));
  Cidr cidr;
  if (inet_pton(AF_INET, address.c_str(), cidr.addr.data()) == 1) {
    cidr.family = 4;
    cidr.prefix_len = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), cidr.addr.data()) == 1) {
    cidr.family = 6;
    cidr.prefix_len = 128;
  } else {
    return Error::make("\"" + std::string(text) + "\" is not an IPv4 or IPv6 CIDR", "Invalid");
  }
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view len_text = text.substr(slash + 1);
    uint32_t len = 0;
    auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc() || end != len_text.data() + len_text.size() || len_text.empty() ||
        len > cidr.prefix_len) {
      return Error::make("\"" + std::string(text) + "\" has an invalid prefix length (0-" +
                             std::to_string(cidr.prefix_len) + ")",
                         "Invalid");
    }
    cidr.prefix_len = len;
  }
  // Clear host bits so that equal networks compare equal.
  for (uint32_t bit = cidr.prefix_len; bit < (cidr.family == 4 ? 32u : 128u); ++bit) {
    cidr.addr[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  return cidr;
}

Cidr Cidr::as_ipv6() const {
  if (family == 6) return *this;
  Cidr mapped;
  mapped.family = 6;
  mapped.addr[10] = 0xFF;
  mapped.addr[11] = 0xFF;
  std::memcpy(&mapped.addr[12], addr.data(), 4);
  mapped.prefix_len = 96 + prefix_len;
  return mapped;
}

bool Cidr::contains(const Cidr& other) const {
  if (family != other.family || other.prefix_len < prefix_len) return false;
  return prefix_equal(addr.data(), other.addr.data(), prefix_len);
}

bool Cidr::contains_address(int address_family, const uint8_t* address) const {
  if (address_family == family) return prefix_equal(addr.data(), address, prefix_len);
  if (address_family == 6 && family == 4) {
    static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    return std::memcmp(address, kMapped, 12) == 0 &&
           prefix_equal(addr.data(), address + 12, prefix_len);
  }
  return false;
}

std::string Cidr::str() const {
  return format_address(family, addr.data()) + "/" + std::to_string(prefix_len);
}

std::string format_address(int family, const uint8_t* address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, address, text, sizeof(text));
  return text;
}

}  // namespace castellan::sensor
