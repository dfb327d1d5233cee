// RapidCheck generators for sockspec values.
//
//   gen::AnyAddress()        every kind: unix path / abstract / unnamed, IPv4, IPv6
//                            (zone by index or by name, flow info), IPv4-mapped IPv6;
//                            every port and every SockType the kind allows
//   gen::SockaddrAddress()   the same without named zones (a sockaddr carries only an index)
//   rc::Arbitrary<Address>   = AnyAddress()
//
// Every generated address is one CheckAddress accepts. Shrinking goes towards
// short names, zero bytes and port 0, so a failure prints a small address.
#pragma once

#include <rapidcheck.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/address.h"

namespace sockspec::gen {

inline rc::Gen<SockType> UnixSockType() {
  return rc::gen::element(SockType::kUnspecified, SockType::kStream, SockType::kDgram,
                          SockType::kSeqPacket);
}

// Inet text has no scheme for seqpacket.
inline rc::Gen<SockType> InetSockType() {
  return rc::gen::element(SockType::kUnspecified, SockType::kStream, SockType::kDgram);
}

// Bytes of a pathname: anything but NUL, 1..sizeof(sun_path) of them (the full
// size leaves the sockaddr without a terminator, which the model allows).
inline rc::Gen<std::string> UnixPathBytes() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(1, SunPathSize() + 1), [](std::size_t n) {
    return rc::gen::container<std::string>(
        n, rc::gen::map(rc::gen::inRange<int>(1, 256), [](int b) { return static_cast<char>(b); }));
  });
}

// Bytes of an abstract name: anything, NUL included, 0..sizeof(sun_path)-1 of them.
inline rc::Gen<std::string> AbstractBytes() {
  return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, SunPathSize()), [](std::size_t n) {
    return rc::gen::container<std::string>(
        n, rc::gen::map(rc::gen::inRange<int>(0, 256), [](int b) { return static_cast<char>(b); }));
  });
}

inline rc::Gen<std::string> ReadablePathBytes() {
  return rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::element('a', 'b', '/', '.', '@', '\\', ' ', 'x')));
}

inline rc::Gen<Address> UnixPath() {
  return rc::gen::apply(
      [](std::string name, SockType t) { return Address::UnixPath(std::move(name), t); },
      rc::gen::oneOf(UnixPathBytes(), ReadablePathBytes()), UnixSockType());
}

inline rc::Gen<Address> UnixAbstract() {
  return rc::gen::apply(
      [](std::string name, SockType t) { return Address::UnixAbstract(std::move(name), t); },
      AbstractBytes(), UnixSockType());
}

inline rc::Gen<Address> UnixUnnamed() {
  return rc::gen::map(UnixSockType(), [](SockType t) { return Address::UnixUnnamed(t); });
}

inline rc::Gen<Address> Inet4() {
  return rc::gen::apply(
      [](std::array<std::uint8_t, 4> ip, std::uint16_t port, SockType t) {
        return Address::Inet4(ip, port, t);
      },
      rc::gen::arbitrary<std::array<std::uint8_t, 4>>(), rc::gen::arbitrary<std::uint16_t>(),
      InetSockType());
}

// IPv6 bytes with runs of zero groups (so "::" compression is exercised) as often as not.
inline rc::Gen<std::array<std::uint8_t, 16>> Ipv6Bytes() {
  auto group = rc::gen::weightedOneOf<std::uint16_t>(
      {{1, rc::gen::just<std::uint16_t>(0)}, {1, rc::gen::arbitrary<std::uint16_t>()},
       {1, rc::gen::element<std::uint16_t>(1, 0xffff, 0xfe80)}});
  return rc::gen::map(rc::gen::container<std::vector<std::uint16_t>>(8, group),
                      [](const std::vector<std::uint16_t>& groups) {
                        std::array<std::uint8_t, 16> ip{};
                        for (std::size_t i = 0; i < 8; ++i) {
                          ip[2 * i] = static_cast<std::uint8_t>(groups[i] >> 8);
                          ip[2 * i + 1] = static_cast<std::uint8_t>(groups[i] & 0xff);
                        }
                        return ip;
                      });
}

// ::ffff:a.b.c.d (printed dotted) and the other IPv4-embedding prefixes (printed as hex).
inline rc::Gen<std::array<std::uint8_t, 16>> Ipv4EmbeddingBytes() {
  return rc::gen::apply(
      [](int prefix, std::array<std::uint8_t, 4> v4) {
        std::array<std::uint8_t, 16> ip{};
        if (prefix == 1) ip[10] = ip[11] = 0xff;          // ::ffff:0:0/96, mapped
        if (prefix == 2) ip[8] = ip[9] = 0xff;            // ::ffff:0:0:0/96, translated
        if (prefix == 3) ip[1] = 0x64, ip[2] = 0xff, ip[3] = 0x9b;  // 64:ff9b::/96
        for (int i = 0; i < 4; ++i) ip[12 + i] = v4[i];
        return ip;
      },
      rc::gen::inRange(0, 4), rc::gen::arbitrary<std::array<std::uint8_t, 4>>());
}

// An interface name the zone grammar accepts: 1..IFNAMSIZ-1 of [A-Za-z0-9_.-], not all digits.
inline rc::Gen<std::string> ZoneName() {
  auto ch = rc::gen::oneOf(rc::gen::inRange('a', static_cast<char>('z' + 1)),
                           rc::gen::inRange('A', static_cast<char>('Z' + 1)),
                           rc::gen::inRange('0', static_cast<char>('9' + 1)),
                           rc::gen::element('_', '.', '-'));
  return rc::gen::apply(
      [](char first, std::string rest) { return std::string(1, first) + rest; },
      rc::gen::oneOf(rc::gen::inRange('a', static_cast<char>('z' + 1)), rc::gen::element('_', '.', '-')),
      rc::gen::mapcat(rc::gen::inRange(0, 15),
                      [ch](int n) { return rc::gen::container<std::string>(n, ch); }));
}

inline rc::Gen<Address> Inet6(bool named_zones) {
  auto zone_id = rc::gen::weightedOneOf<std::uint32_t>(
      {{2, rc::gen::just<std::uint32_t>(0)}, {1, rc::gen::arbitrary<std::uint32_t>()}});
  auto zone_name = named_zones ? rc::gen::weightedOneOf<std::string>(
                                     {{3, rc::gen::just(std::string())}, {1, ZoneName()}})
                               : rc::gen::just(std::string());
  auto flow = rc::gen::weightedOneOf<std::uint32_t>(
      {{2, rc::gen::just<std::uint32_t>(0)}, {1, rc::gen::arbitrary<std::uint32_t>()}});
  return rc::gen::apply(
      [](std::array<std::uint8_t, 16> ip, std::uint16_t port, SockType t, std::uint32_t id,
         std::string name, std::uint32_t flowinfo) {
        Address a = Address::Inet6(ip, port, t, name.empty() ? id : 0, flowinfo);
        a.scope_name = std::move(name);
        return a;
      },
      rc::gen::oneOf(Ipv6Bytes(), Ipv4EmbeddingBytes()), rc::gen::arbitrary<std::uint16_t>(),
      InetSockType(), zone_id, zone_name, flow);
}

inline rc::Gen<Address> AnyAddress() {
  return rc::gen::oneOf(UnixPath(), UnixAbstract(), UnixUnnamed(), Inet4(), Inet6(true));
}

inline rc::Gen<Address> SockaddrAddress() {
  return rc::gen::oneOf(UnixPath(), UnixAbstract(), UnixUnnamed(), Inet4(), Inet6(false));
}

}  // namespace sockspec::gen

namespace rc {
template <>
struct Arbitrary<sockspec::Address> {
  static Gen<sockspec::Address> arbitrary() { return sockspec::gen::AnyAddress(); }
};
}  // namespace rc
