// Unit tests of the address model: the text grammar (every accepted form with
// its canonical output, every rejected form with its message and position),
// sockaddr conversion (byte order, odd lengths, unterminated paths) and a
// differential check of the hand-written IPv4/IPv6 grammar against libc.
//
// Differences from libc, measured on Debian 12 (glibc 2.36):
// - inet_pton(AF_INET/AF_INET6) accepts exactly what ParseIPv4Text/ParseIPv6Text accept on
//   every string below and on the generated ones (glibc rejects leading zeros in IPv4 octets,
//   also inside IPv6, ">4 hex digits", "::" standing for no group, a misplaced IPv4 part),
//   so the list of host-text differences is empty. The remaining differences are by design
//   and outside the host text: inet_pton never takes a zone ("::1%lo") or brackets, which the
//   address grammar handles around the host; getaddrinfo(AI_NUMERICHOST) (not compared here)
//   accepts inet_aton forms ("127.1", "0x7f.1", "017.0.0.1") that this grammar rejects.
// - inet_ntop prints IPv4-compatible addresses (first 96 bits zero, seventh group non-zero)
//   dotted, "::1.2.3.4"; FormatAddress keeps only ::ffff:a.b.c.d dotted (RFC 5952 section 5)
//   and prints "::102:304". Otherwise both follow RFC 5952 (first longest run, no lone "::0").
// - sockaddr_in6 on Linux (/usr/include/netinet/in.h, linux/in6.h): sin6_port and
//   sin6_flowinfo are in network order; sin6_scope_id is a plain uint32_t in host order
//   (an interface index, never on the wire).
#include "harness/address.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "harness/address_chars.h"

namespace sockspec {
namespace {

constexpr std::size_t kPathOffset = offsetof(sockaddr_un, sun_path);

// ---------------------------------------------------------------- accepted forms

struct Accepted {
  std::string text;
  std::string canonical;
};

std::vector<Accepted> AcceptedForms() {
  const std::string max_path(SunPathSize(), 'p');
  const std::string max_abstract(SunPathSize() - 1, 'a');
  return {
      // unix
      {"unix:", "unix:"},
      {"unix-stream:", "unix-stream:"},
      {"unix-dgram:", "unix-dgram:"},
      {"unix-seqpacket:", "unix-seqpacket:"},
      {"unix:/tmp/s", "unix:/tmp/s"},
      {"unix:relative/a:b,c", "unix:relative/a:b,c"},
      {"unix:with space", "unix:with space"},
      {R"(unix-dgram:@name\x00with-nul)", R"(unix-dgram:@name\x00with-nul)"},
      {"unix:@", "unix:@"},
      {R"(unix:@\x00)", R"(unix:@\x00)"},
      {"unix-seqpacket:@@x", "unix-seqpacket:@@x"},
      {R"(unix:\x40abs)", R"(unix:\x40abs)"},
      {R"(unix:a@b)", R"(unix:a@b)"},
      {R"(unix:a\x41b)", "unix:aAb"},
      {R"(unix:back\\slash)", R"(unix:back\\slash)"},
      {R"(unix:\x5c)", R"(unix:\\)"},
      {R"(unix:\xff\xFE\x7f\x1b)", R"(unix:\xff\xfe\x7f\x1b)"},
      {"unix:" + max_path, "unix:" + max_path},
      {"unix:@" + max_abstract, "unix:@" + max_abstract},
      // IPv4
      {"tcp:127.0.0.1:0", "tcp:127.0.0.1:0"},
      {"udp:0.0.0.0:65535", "udp:0.0.0.0:65535"},
      {"inet:255.255.255.255:080", "inet:255.255.255.255:80"},
      {"tcp:10.20.30.40:00000", "tcp:10.20.30.40:0"},
      // IPv6
      {"tcp:[::1]:80", "tcp:[::1]:80"},
      {"tcp:[::]:0", "tcp:[::]:0"},
      {"tcp:[0:0:0:0:0:0:0:1]:1", "tcp:[::1]:1"},
      {"tcp:[0:0:0:0:0:0:0:0]:1", "tcp:[::]:1"},
      {"tcp:[2001:DB8::1]:1", "tcp:[2001:db8::1]:1"},
      {"tcp:[2001:0db8:0000:0000:0000:0000:0000:0001]:1", "tcp:[2001:db8::1]:1"},
      {"tcp:[2001:db8:0:0:1:0:0:1]:1", "tcp:[2001:db8::1:0:0:1]:1"},
      {"tcp:[1:0:0:2:0:0:0:3]:1", "tcp:[1:0:0:2::3]:1"},
      {"tcp:[1:0:2:3:4:5:6:7]:1", "tcp:[1:0:2:3:4:5:6:7]:1"},
      {"tcp:[1::2:3:4:5:6:7]:1", "tcp:[1:0:2:3:4:5:6:7]:1"},
      {"tcp:[1:2:3:4:5:6:7::]:1", "tcp:[1:2:3:4:5:6:7:0]:1"},
      {"tcp:[::2:3:4:5:6:7:8]:1", "tcp:[0:2:3:4:5:6:7:8]:1"},
      {"tcp:[1::]:1", "tcp:[1::]:1"},
      {"tcp:[abcd:EF01:2345:6789:abcd:ef01:2345:6789]:1",
       "tcp:[abcd:ef01:2345:6789:abcd:ef01:2345:6789]:1"},
      {"tcp:[::ffff:127.0.0.1]:8080", "tcp:[::ffff:127.0.0.1]:8080"},
      {"tcp:[::FFFF:7f00:1]:1", "tcp:[::ffff:127.0.0.1]:1"},
      {"tcp:[0:0:0:0:0:ffff:0.0.0.0]:1", "tcp:[::ffff:0.0.0.0]:1"},
      {"tcp:[::1.2.3.4]:1", "tcp:[::102:304]:1"},
      {"tcp:[64:ff9b::1.2.3.4]:1", "tcp:[64:ff9b::102:304]:1"},
      {"tcp:[1:2:3:4:5:6:1.2.3.4]:1", "tcp:[1:2:3:4:5:6:102:304]:1"},
      // zones
      {"tcp:[fe80::1%lo]:80", "tcp:[fe80::1%lo]:80"},
      {"tcp:[fe80::1%eth0.100]:80", "tcp:[fe80::1%eth0.100]:80"},
      {"tcp:[fe80::1%a_b-c.D]:1", "tcp:[fe80::1%a_b-c.D]:1"},
      {"tcp:[fe80::1%0x1]:1", "tcp:[fe80::1%0x1]:1"},
      {"tcp:[fe80::1%123456789abcdef]:1", "tcp:[fe80::1%123456789abcdef]:1"},
      {"tcp:[fe80::1%7]:80", "tcp:[fe80::1%7]:80"},
      {"tcp:[fe80::1%4294967295]:80", "tcp:[fe80::1%4294967295]:80"},
      // flow info
      {"udp:[::1]:9,flow=5", "udp:[::1]:9,flow=5"},
      {"udp:[::1]:9,flow=0", "udp:[::1]:9"},
      {"udp:[::1]:9,flow=007", "udp:[::1]:9,flow=7"},
      {"udp:[::1]:9,flow=4294967295", "udp:[::1]:9,flow=4294967295"},
      {"inet:[::1%lo]:1,flow=1", "inet:[::1%lo]:1,flow=1"},
  };
}

TEST(AddressParse, AcceptedFormsHaveTheirCanonicalText) {
  for (const Accepted& c : AcceptedForms()) {
    SCOPED_TRACE(c.text);
    const Parsed<Address> parsed = ParseAddress(c.text);
    ASSERT_TRUE(parsed.ok()) << parsed.error.Describe();
    EXPECT_EQ(CheckAddress(*parsed.value), std::nullopt);
    EXPECT_EQ(FormatAddress(*parsed.value), c.canonical);
    // The canonical text is a fixed point and denotes the same Address.
    const Parsed<Address> again = ParseAddress(c.canonical);
    ASSERT_TRUE(again.ok()) << again.error.Describe();
    EXPECT_EQ(*again.value, *parsed.value);
    EXPECT_EQ(FormatAddress(*again.value), c.canonical);
  }
}

TEST(AddressParse, FieldsOfParsedAddresses) {
  {
    const Address a = *ParseAddress(R"(unix-dgram:@name\x00with-nul)").value;
    EXPECT_EQ(a.kind, AddrKind::kUnixAbstract);
    EXPECT_EQ(a.type, SockType::kDgram);
    EXPECT_EQ(a.unix_name, std::string("name\0with-nul", 13));
  }
  {
    const Address a = *ParseAddress("unix:@").value;
    EXPECT_EQ(a.kind, AddrKind::kUnixAbstract);
    EXPECT_EQ(a.unix_name, "");
    EXPECT_NE(a, *ParseAddress("unix:").value);
    EXPECT_EQ(ParseAddress("unix:").value->kind, AddrKind::kUnixUnnamed);
  }
  {
    const Address a = *ParseAddress(R"(unix:\x40abs)").value;
    EXPECT_EQ(a.kind, AddrKind::kUnixPath);
    EXPECT_EQ(a.unix_name, "@abs");
  }
  {
    const Address a = *ParseAddress("tcp:127.0.0.1:8080").value;
    EXPECT_EQ(a, Address::Loopback4(8080, SockType::kStream));
  }
  {
    const Address a = *ParseAddress("udp:[fe80::1%lo]:53,flow=9").value;
    EXPECT_EQ(a.kind, AddrKind::kInet6);
    EXPECT_EQ(a.type, SockType::kDgram);
    EXPECT_EQ(a.ip[0], 0xfe);
    EXPECT_EQ(a.ip[1], 0x80);
    EXPECT_EQ(a.ip[15], 1);
    EXPECT_EQ(a.port, 53);
    EXPECT_EQ(a.flowinfo, 9u);
    EXPECT_EQ(a.scope_id, 0u);
    EXPECT_EQ(a.scope_name, "lo");
  }
  {
    const Address a = *ParseAddress("inet:[fe80::1%42]:1").value;
    EXPECT_EQ(a.type, SockType::kUnspecified);
    EXPECT_EQ(a.scope_id, 42u);
    EXPECT_EQ(a.scope_name, "");
  }
}

// ---------------------------------------------------------------- rejected forms

struct Rejected {
  std::string text;
  std::size_t position;
  std::string message;
};

std::vector<Rejected> RejectedForms() {
  const std::string long_path(SunPathSize() + 1, 'p');
  const std::string long_abstract(SunPathSize(), 'a');
  std::string escaped_path;
  for (std::size_t k = 0; k <= SunPathSize(); ++k) escaped_path += R"(\x41)";
  const std::string path_limit = std::to_string(SunPathSize());
  const std::string abstract_limit = std::to_string(SunPathSize() - 1);
  const std::string long_scheme(200, 's');  // longer than any fixed message
  return {
      // scheme
      {"", 0, "missing scheme (unix:, tcp:, udp:, inet:, ...)"},
      {":80", 0, "missing scheme (unix:, tcp:, udp:, inet:, ...)"},
      {"ftp:1.2.3.4:1", 0, R"(unknown scheme "ftp")"},
      {"TCP:1.2.3.4:1", 0, R"(unknown scheme "TCP")"},
      {"inet6:[::1]:1", 0, R"(unknown scheme "inet6")"},
      {"tcp", 3, "missing ':' after scheme"},
      {"tcp/1.2.3.4", 3, "missing ':' after scheme"},
      {"unix", 4, "missing ':' after scheme"},
      {long_scheme + ":x", 0, "unknown scheme \"" + long_scheme + "\""},
      // empty host
      {"tcp:", 4, "empty host"},
      {"tcp::80", 4, "empty host"},
      {"tcp:[]:80", 5, "empty host"},
      {"tcp:[%lo]:80", 5, "empty host"},
      // IPv4
      {"tcp:01.2.3.4:1", 4, "leading zero in IPv4 octet (octal forms are not accepted)"},
      {"tcp:127.0.0.01:80", 12, "leading zero in IPv4 octet (octal forms are not accepted)"},
      {"tcp:0177.0.0.1:1", 4, "leading zero in IPv4 octet (octal forms are not accepted)"},
      {"tcp:00.0.0.0:1", 4, "leading zero in IPv4 octet (octal forms are not accepted)"},
      {"tcp:0x7f.0.0.1:1", 4, "hexadecimal IPv4 octet (only decimal is accepted)"},
      {"tcp:1.2.3.0X1:1", 10, "hexadecimal IPv4 octet (only decimal is accepted)"},
      {"tcp:256.0.0.1:1", 4, "IPv4 octet greater than 255"},
      {"tcp:1.2.3.1000:1", 10, "IPv4 octet greater than 255"},
      {"tcp:2130706433:1", 4, "IPv4 octet greater than 255"},
      {"tcp:99999999999999999999999.1.1.1:1", 4, "IPv4 octet greater than 255"},
      {"tcp:127.1:80", 9, "too few IPv4 octets (need exactly 4)"},
      {"tcp:1.2.3:80", 9, "too few IPv4 octets (need exactly 4)"},
      {"tcp:127:80", 7, "too few IPv4 octets (need exactly 4)"},
      {"tcp:1.2.3.4.5:80", 11, "too many IPv4 octets (need exactly 4)"},
      {"tcp:1..2.3:1", 6, "empty IPv4 octet"},
      {"tcp:.1.2.3:1", 4, "empty IPv4 octet"},
      {"tcp:1.2.3.:1", 10, "empty IPv4 octet"},
      {"tcp:1.2.3.4a:1", 11, "unexpected 'a' in IPv4 address"},
      {"tcp:localhost:80", 4, "unexpected 'l' in IPv4 address"},
      {"tcp: 1.2.3.4:1", 4, "unexpected ' ' in IPv4 address"},
      {"tcp:1.2.3.4 :1", 11, "unexpected ' ' in IPv4 address"},
      {std::string("tcp:1.2.3.4\0:1", 14), 11, "unexpected byte 0x00 in IPv4 address"},
      // IPv6
      {"tcp:[1::2::3]:1", 9, "more than one '::' in IPv6 address"},
      {"tcp:[::1::]:1", 8, "more than one '::' in IPv6 address"},
      {"tcp:[1:2:3:4:5:6:7:8:9]:1", 21, "too many IPv6 groups"},
      {"tcp:[1::2:3:4:5:6:7:8]:1", 20, "too many IPv6 groups"},
      {"tcp:[1:2:3:4:5:6:7:8::]:1", 20, "too many IPv6 groups"},
      {"tcp:[1:2:3:4:5:6:7:1.2.3.4]:1", 19, "too many IPv6 groups"},
      {"tcp:[12345::1]:1", 5, "IPv6 group has more than 4 hex digits"},
      {"tcp:[::00000]:1", 7, "IPv6 group has more than 4 hex digits"},
      {"tcp:[::ffff:1.2.3.4:5]:1", 19,
       "embedded IPv4 address is allowed only as the last 32 bits"},
      {"tcp:[1.2.3.4::]:1", 12, "embedded IPv4 address is allowed only as the last 32 bits"},
      {"tcp:[::ffff:1.2.03.4]:1", 16,
       "leading zero in embedded IPv4 octet (octal forms are not accepted)"},
      {"tcp:[::ffff:0x1.2.3.4]:1", 13, "unexpected 'x' in IPv6 address"},
      {"tcp:[::ffff:1.0x2.3.4]:1", 14, "hexadecimal embedded IPv4 octet (only decimal is accepted)"},
      {"tcp:[::ffff:1.2.3.256]:1", 18, "embedded IPv4 octet greater than 255"},
      {"tcp:[::1.2.3]:1", 12, "too few embedded IPv4 octets (need exactly 4)"},
      {"tcp:[::1.2.3.4.5]:1", 14, "too many embedded IPv4 octets (need exactly 4)"},
      {"tcp:[::1a.2.3.4]:1", 8, "unexpected 'a' in embedded IPv4 address"},
      {"tcp:[1.2.3.4]:1", 5, "IPv4 address where IPv6 is expected (use ::ffff:a.b.c.d)"},
      {"tcp:[:1::]:1", 5, "IPv6 address starts with a single ':'"},
      {"tcp:[1::2:]:1", 10, "IPv6 address ends with a single ':'"},
      {"tcp:[:::]:1", 7, "':::' in IPv6 address"},
      {"tcp:[1:::2]:1", 8, "':::' in IPv6 address"},
      {"tcp:[1:2:3:4:5:6:7]:1", 18, "too few IPv6 groups (need 8, or '::')"},
      {"tcp:[1]:1", 6, "too few IPv6 groups (need 8, or '::')"},
      {"tcp:[fe8g::1]:1", 8, "unexpected 'g' in IPv6 address"},
      {"tcp:[::1 ]:1", 8, "unexpected ' ' in IPv6 address"},
      // brackets
      {"tcp:[::1:1", 10, "unbalanced brackets: missing ']'"},
      {"tcp:[::1", 8, "unbalanced brackets: missing ']'"},
      {"tcp:[fe80::1%lo", 15, "unbalanced brackets: missing ']'"},
      {"tcp:1.2.3.4]:80", 11, "unbalanced brackets: unexpected ']'"},
      {"tcp:[[::1]]:80", 5, "unbalanced brackets: unexpected '['"},
      {"tcp:[::1]]:80", 9, "unbalanced brackets: unexpected ']'"},
      // IPv6 needs brackets
      {"tcp:fe80::1:80", 4, "IPv6 address needs brackets ([addr]:port)"},
      {"tcp:::1", 4, "IPv6 address needs brackets ([addr]:port)"},
      {"tcp:::1]:80", 4, "IPv6 address needs brackets ([addr]:port)"},
      {"tcp:::ffff:1.2.3.4:80", 4, "IPv6 address needs brackets ([addr]:port)"},
      // zones
      {"tcp:[fe80::1]%lo:80", 13, "zone outside brackets (write [ipv6%zone]:port)"},
      {"tcp:127.0.0.1%lo:80", 13, "zone outside brackets (write [ipv6%zone]:port)"},
      {"tcp:[fe80::1%]:80", 13, "empty zone"},
      {"tcp:[fe80::1%l o]:80", 14, "invalid ' ' in zone name (allowed: A-Z a-z 0-9 _ . -)"},
      {"tcp:[fe80::1%eth/0]:80", 16, "invalid '/' in zone name (allowed: A-Z a-z 0-9 _ . -)"},
      {"tcp:[fe80::1%lo%1]:80", 15, "invalid '%' in zone name (allowed: A-Z a-z 0-9 _ . -)"},
      {"tcp:[fe80::1%abcdefghijklmnop]:80", 28, "zone name longer than 15 bytes"},
      {"tcp:[fe80::1%0]:80", 13, "zone index 0 is no interface (omit the zone instead)"},
      {"tcp:[fe80::1%01]:80", 13, "leading zero in zone index"},
      {"tcp:[fe80::1%4294967296]:80", 13, "zone index out of range (> 4294967295)"},
      // ports
      {"tcp:1.2.3.4", 11, "missing port (expected ':' and a port number)"},
      {"tcp:[::1]", 9, "missing port (expected ':' and a port number)"},
      {"tcp:[::1]80", 9, "expected ':' and a port, got '8'"},
      {"tcp:1.2.3.4:", 12, "empty port"},
      {"tcp:[::1]:", 10, "empty port"},
      {"tcp:1.2.3.4:+80", 12, "sign in port (digits only)"},
      {"tcp:1.2.3.4:-1", 12, "sign in port (digits only)"},
      {"tcp:1.2.3.4: 80", 12, "whitespace in port"},
      {"tcp:1.2.3.4:8 0", 13, "whitespace in or after port"},
      {"tcp:1.2.3.4:80 ", 14, "whitespace in or after port"},
      {"tcp:1.2.3.4:123456", 17, "port has more than 5 digits"},
      {"tcp:1.2.3.4:000080", 17, "port has more than 5 digits"},
      {"tcp:1.2.3.4:65536", 12, "port out of range (65536 > 65535)"},
      {"tcp:1.2.3.4:99999", 12, "port out of range (99999 > 65535)"},
      {"tcp:1.2.3.4:0x50", 13, "trailing garbage after port: 'x'"},
      {"tcp:1.2.3.4:http", 12, "malformed port: expected a decimal digit, got 'h'"},
      {"tcp:1.2.3.4:80:90", 14, "trailing garbage after port: ':'"},
      {"tcp:[::1]:80]", 12, "trailing garbage after port: ']'"},
      {"tcp:1.2.3.4:80\n", 14, "trailing garbage after port: byte 0x0a"},
      // flow info
      {"tcp:1.2.3.4:80,flow=1", 14, "flow info applies to IPv6 only"},
      {"tcp:[::1]:80,flo=1", 12, "expected ',flow=' after port"},
      {"tcp:[::1]:80,", 12, "expected ',flow=' after port"},
      {"tcp:[::1]:80,flow=", 18, "empty flow info"},
      {"tcp:[::1]:80,flow=-1", 18, "sign in flow info (digits only)"},
      {"tcp:[::1]:80,flow=4294967296", 18, "flow info out of range (4294967296 > 4294967295)"},
      {"tcp:[::1]:80,flow=12345678901", 28, "flow info has more than 10 digits"},
      {"tcp:[::1]:80,flow=1x", 19, "trailing garbage after flow info: 'x'"},
      {"tcp:[::1]:80,flow=1,flow=2", 19, "trailing garbage after flow info: ','"},
      // unix
      {R"(unix:\x4)", 5, R"(\x needs exactly two hex digits)"},
      {R"(unix:\xg0)", 5, R"(\x needs exactly two hex digits)"},
      {R"(unix:@ab\x)", 8, R"(\x needs exactly two hex digits)"},
      {R"(unix:a\X41)", 6, R"(unknown escape \ then 'X' (only \\ and \xHH))"},
      {R"(unix:a\n)", 6, R"(unknown escape \ then 'n' (only \\ and \xHH))"},
      {R"(unix:abc\)", 8, "unfinished escape at end of text"},
      {R"(unix:a\x00b)", 6, "NUL byte in pathname"},
      {R"(unix:\x00)", 5, "NUL byte in pathname"},
      {"unix:a\nb", 6, R"(raw byte 0x0a must be escaped as \x0a)"},
      {"unix:\xc3\xa9", 5, R"(raw byte 0xc3 must be escaped as \xc3)"},
      {"unix:@\x7f", 6, R"(raw byte 0x7f must be escaped as \x7f)"},
      {std::string("unix:a\0b", 8), 6, R"(raw byte 0x00 must be escaped as \x00)"},
      {"unix:" + long_path, 5 + SunPathSize(), "pathname longer than " + path_limit + " bytes"},
      {"unix:" + escaped_path, 5 + 4 * SunPathSize(),
       "pathname longer than " + path_limit + " bytes"},
      {"unix:@" + long_abstract, 6 + SunPathSize() - 1,
       "abstract name longer than " + abstract_limit + " bytes"},
  };
}

TEST(AddressParse, RejectedFormsNameTheProblemAndThePosition) {
  for (const Rejected& c : RejectedForms()) {
    SCOPED_TRACE(c.text);
    const Parsed<Address> parsed = ParseAddress(c.text);
    ASSERT_FALSE(parsed.ok()) << "parsed as " << *parsed.value;
    EXPECT_EQ(parsed.error.message(), c.message);
    EXPECT_NE(parsed.error.code, AddressErrorCode::kText);  // see EveryCodeHasAMessage
    EXPECT_EQ(parsed.error.position, c.position);
    EXPECT_LE(parsed.error.position, c.text.size());
  }
}

// A default-constructed view has a null data(): rejected like "", without touching it.
TEST(AddressParse, NullViewIsEmptyText) {
  const std::string_view none;
  EXPECT_EQ(ParseAddress(none).error, ParseAddress("").error);
  EXPECT_EQ(ParseIPv4Text(none).error, ParseIPv4Text("").error);
  EXPECT_EQ(ParseIPv6Text(none).error, ParseIPv6Text("").error);
  EXPECT_FALSE(ParseIPv6Text(none).ok());
}

TEST(AddressParse, DescribeSaysWhereAndWhat) {
  const Parsed<Address> parsed = ParseAddress("tcp:1.2.3.04:1");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error.Describe(),
            "at byte 10: leading zero in IPv4 octet (octal forms are not accepted)");
}

// The "out of range" and "malformed" port errors stay distinct: tools sort on them.
TEST(AddressParse, PortOutOfRangeIsNotMalformed) {
  const std::string range = ParseAddress("tcp:1.2.3.4:65536").error.message();
  for (const char* text : {"tcp:1.2.3.4:+80", "tcp:1.2.3.4:8 0", "tcp:1.2.3.4:", "tcp:1.2.3.4:x"}) {
    const std::string malformed = ParseAddress(text).error.message();
    EXPECT_EQ(malformed.find("out of range"), std::string::npos) << text;
    EXPECT_NE(malformed, range) << text;
  }
  EXPECT_NE(range.find("out of range"), std::string::npos);
}

// A text error is a code and its arguments; the message is written only when asked. The
// address_parse fuzzer relies on this test: it checks that a rejection carries a code, not the
// text (writing the text for every rejected input would cost more than the parse).
TEST(AddressParse, EveryCodeHasAMessage) {
  for (int c = 0; c <= static_cast<int>(kLastAddressErrorCode); ++c) {
    AddressError e;
    e.code = static_cast<AddressErrorCode>(c);
    if (e.code == AddressErrorCode::kText) continue;  // free-form: the message is the text
    EXPECT_FALSE(e.message().empty()) << "code " << c;
  }
  EXPECT_EQ(AddressError::Text(3, "free form").Describe(), "at byte 3: free form");
}

// ---------------------------------------------------------------- byte classes

// address_chars.h keeps each byte class twice, a table for single bytes and word arithmetic
// for runs: both must agree on every byte, in every lane, whatever the neighbouring bytes
// (a carry must not cross lanes).
TEST(AddressChars, WordLanesAgreeWithTheTable) {
  using namespace address_chars;
  struct Form {
    const WordClass& word;
    std::uint8_t cls;
    bool complement;  // the word class is the bytes outside the table's class
  };
  const Form forms[] = {
      {kDigitWord, kDigit, false},         {kHexWord, kHex, false},
      {kZoneWord, kZone, false},           {kSchemeWord, kScheme, false},
      {kUnixPlainWord, kUnixPlain, false}, {kV4HostWord, kV4HostEnd, true},
      {kV6HostWord, kV6HostEnd, true},
  };
  for (const Form& f : forms) {
    for (unsigned c = 0; c < 256; ++c) {
      const bool want = Is(c, f.cls) != f.complement;
      for (unsigned fill : {0x00u, 0x7fu, 0x80u, 0xffu, c ^ 1u}) {
        for (int lane = 0; lane < 8; ++lane) {
          unsigned char bytes[8];
          std::memset(bytes, static_cast<int>(fill), sizeof(bytes));
          bytes[lane] = static_cast<unsigned char>(c);
          unsigned char marks[8] = {};
          marks[lane] = 0x80;
          std::uint64_t w = 0;
          std::uint64_t mark = 0;
          std::memcpy(&w, bytes, 8);
          std::memcpy(&mark, marks, 8);
          ASSERT_EQ((f.word.Lanes(w) & mark) != 0, want)
              << "class " << int{f.cls} << " byte " << c << " fill " << fill << " lane " << lane;
          ASSERT_EQ(f.word.Lanes(w) & ~kHigh, 0u);
        }
      }
    }
  }
}

TEST(AddressChars, SpanOfMatchesAByteLoop) {
  using namespace address_chars;
  std::mt19937 rng(5);
  for (int n = 0; n < 20000; ++n) {
    std::string text(rng() % 40, '\0');
    for (char& c : text) {
      c = rng() % 5 == 0 ? static_cast<char>(rng()) : "0123456789ab:.["[rng() % 15];
    }
    const std::size_t e = rng() % (text.size() + 1);
    const std::size_t b = rng() % (e + 1);
    auto stop_at = [&](std::size_t i) {
      return i < e ? static_cast<unsigned>(static_cast<unsigned char>(text[i])) : kEnd;
    };
    std::size_t want = b;
    while (want < e && IsDigit(static_cast<unsigned char>(text[want]))) ++want;
    address_chars::ByteRun got = SpanOf(text, b, e, kDigitWord);
    ASSERT_EQ(got.end, want) << text << " " << b << " " << e;
    ASSERT_EQ(got.stop, stop_at(want)) << text << " " << b << " " << e;
    want = b;
    while (want < e && !Is(static_cast<unsigned char>(text[want]), kV4HostEnd)) ++want;
    got = SpanOf(text, b, e, kV4HostWord);
    ASSERT_EQ(got.end, want) << text << " " << b << " " << e;
    ASSERT_EQ(got.stop, stop_at(want)) << text << " " << b << " " << e;
  }
}

// ---------------------------------------------------------------- formatting

TEST(AddressFormat, ZoneAndFlowSuffixes) {
  std::array<std::uint8_t, 16> ip{};
  ip[0] = 0xfe;
  ip[1] = 0x80;
  ip[15] = 1;
  Address a = Address::Inet6(ip, 80, SockType::kStream, /*scope_id=*/3, /*flowinfo=*/0x12345);
  EXPECT_EQ(FormatAddress(a), "tcp:[fe80::1%3]:80,flow=74565");
  a.scope_id = 0;
  a.scope_name = "lo";
  EXPECT_EQ(FormatAddress(a), "tcp:[fe80::1%lo]:80,flow=74565");
  a.flowinfo = 0;
  EXPECT_EQ(FormatAddress(a), "tcp:[fe80::1%lo]:80");
}

TEST(AddressFormat, UnixBytesAreEscapedOnlyWhereNeeded) {
  EXPECT_EQ(FormatAddress(Address::UnixPath("@lead")), R"(unix:\x40lead)");
  EXPECT_EQ(FormatAddress(Address::UnixPath("mid@dle")), "unix:mid@dle");
  EXPECT_EQ(FormatAddress(Address::UnixAbstract("@lead")), "unix:@@lead");
  EXPECT_EQ(FormatAddress(Address::UnixAbstract(std::string("\0\x01\\\xff", 4))),
            R"(unix:@\x00\x01\\\xff)");
  EXPECT_EQ(FormatAddress(Address::UnixPath("sp ace~")), "unix:sp ace~");
  EXPECT_EQ(FormatAddress(Address::UnixUnnamed(SockType::kSeqPacket)), "unix-seqpacket:");
}

TEST(AddressFormat, MatchesInetNtopExceptIPv4Compatible) {
  std::mt19937 rng(12345);
  for (int n = 0; n < 20000; ++n) {
    std::array<std::uint8_t, 16> ip{};
    // Mostly-zero groups so that runs, ties and the mapped prefix all show up.
    for (int g = 0; g < 8; ++g) {
      const unsigned pick = rng() % 4;
      const unsigned value = pick == 0 ? static_cast<unsigned>(rng() & 0xffff) : pick == 1 ? 1 : 0;
      ip[2 * g] = static_cast<std::uint8_t>(value >> 8);
      ip[2 * g + 1] = static_cast<std::uint8_t>(value);
    }
    if (rng() % 8 == 0) ip[10] = ip[11] = 0xff;
    char buf[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET6, ip.data(), buf, sizeof(buf)), nullptr);
    const std::string ours = FormatAddress(Address::Inet6(ip, 1, SockType::kStream));
    const std::string host = ours.substr(5, ours.size() - 5 - 3);  // "tcp:[" ... "]:1"
    bool compatible = true;  // glibc prints ::a.b.c.d when words 0..5 are 0, word 6 is not
    for (int k = 0; k < 12; ++k) compatible = compatible && ip[k] == 0;
    compatible = compatible && (ip[12] != 0 || ip[13] != 0);
    if (compatible) {
      EXPECT_EQ(host.find('.'), std::string::npos) << host;
      EXPECT_NE(std::string(buf).find('.'), std::string::npos) << buf;
      continue;
    }
    EXPECT_EQ(host, buf);
  }
}

// ---------------------------------------------------------------- round trips

// A small deterministic generator of valid Addresses of every kind.
Address RandomAddress(std::mt19937& rng) {
  const SockType types[] = {SockType::kUnspecified, SockType::kStream, SockType::kDgram,
                            SockType::kSeqPacket};
  const SockType type = types[rng() % 4];
  const SockType inet_type = type == SockType::kSeqPacket ? SockType::kStream : type;
  auto random_bytes = [&](std::size_t max, bool allow_nul) {
    std::string s(rng() % (max + 1), '\0');
    for (char& c : s) {
      c = static_cast<char>(rng() % 4 == 0 ? 'a' + rng() % 26 : rng() % 256);
      if (!allow_nul && c == '\0') c = '@';
    }
    return s;
  };
  switch (rng() % 5) {
    case 0: return Address::UnixUnnamed(type);
    case 1: {
      std::string path = random_bytes(SunPathSize(), false);
      if (path.empty()) path = "x";
      return Address::UnixPath(path, type);
    }
    case 2: return Address::UnixAbstract(random_bytes(SunPathSize() - 1, true), type);
    case 3: {
      std::array<std::uint8_t, 4> ip{};
      for (auto& b : ip) b = static_cast<std::uint8_t>(rng());
      return Address::Inet4(ip, static_cast<std::uint16_t>(rng()), inet_type);
    }
    default: {
      std::array<std::uint8_t, 16> ip{};
      for (auto& b : ip) b = rng() % 3 == 0 ? static_cast<std::uint8_t>(rng()) : 0;
      const std::uint32_t flow = rng() % 2 == 0 ? 0 : static_cast<std::uint32_t>(rng());
      Address a = Address::Inet6(ip, static_cast<std::uint16_t>(rng()), inet_type, 0, flow);
      switch (rng() % 3) {
        case 0: a.scope_id = static_cast<std::uint32_t>(rng()); break;
        case 1: a.scope_name = "eth" + std::to_string(rng() % 1000); break;
        default: break;
      }
      return a;
    }
  }
}

TEST(AddressRoundTrip, FormatThenParseGivesTheSameAddress) {
  std::mt19937 rng(777);
  for (int n = 0; n < 20000; ++n) {
    const Address a = RandomAddress(rng);
    ASSERT_EQ(CheckAddress(a), std::nullopt) << a;
    const std::string text = FormatAddress(a);
    const Parsed<Address> parsed = ParseAddress(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error.Describe();
    ASSERT_EQ(*parsed.value, a) << text;
  }
}

TEST(AddressRoundTrip, SockaddrThenBackGivesTheSameAddress) {
  std::mt19937 rng(4242);
  for (int n = 0; n < 20000; ++n) {
    Address a = RandomAddress(rng);
    a.scope_name.clear();  // only the index travels in a sockaddr
    const SockAddr sa = ToSockaddr(a);
    const Parsed<Address> back = FromSockaddr(sa.get(), sa.len, a.type);
    ASSERT_TRUE(back.ok()) << a << ": " << back.error.Describe();
    ASSERT_EQ(*back.value, a);
  }
}

// Random text over the grammar's alphabet: whatever parses must format to a
// fixed point that parses back to the same Address. Never crashes on the rest.
TEST(AddressRoundTrip, RandomTextIsAFixedPointWhenAccepted) {
  static constexpr std::string_view kPrefixes[] = {"tcp:", "udp:[", "inet:", "unix:", "unix:@",
                                                   "tcp:[::", "udp:1.2."};
  static constexpr std::string_view kAlphabet = "0123456789abcdefABCDEFx:.[]%@\\,flow=lo- \x01";
  std::mt19937 rng(99);
  int accepted = 0;
  for (int n = 0; n < 100000; ++n) {
    std::string text(kPrefixes[rng() % std::size(kPrefixes)]);
    const std::size_t len = rng() % 24;
    for (std::size_t k = 0; k < len; ++k) text += kAlphabet[rng() % kAlphabet.size()];
    const Parsed<Address> parsed = ParseAddress(text);
    if (!parsed.ok()) {
      ASSERT_LE(parsed.error.position, text.size()) << text;
      ASSERT_FALSE(parsed.error.message().empty()) << text;
      continue;
    }
    ++accepted;
    ASSERT_EQ(CheckAddress(*parsed.value), std::nullopt) << text;
    const std::string canonical = FormatAddress(*parsed.value);
    const Parsed<Address> again = ParseAddress(canonical);
    ASSERT_TRUE(again.ok()) << text << " -> " << canonical << ": " << again.error.Describe();
    ASSERT_EQ(*again.value, *parsed.value) << text;
    ASSERT_EQ(FormatAddress(*again.value), canonical) << text;
  }
  EXPECT_GT(accepted, 1000);
}

// ---------------------------------------------------------------- sockaddr layout

TEST(Sockaddr, Inet4PortAndAddressAreInNetworkOrder) {
  const SockAddr sa = ToSockaddr(Address::Inet4({127, 0, 0, 1}, 0x1234));
  ASSERT_EQ(sa.len, sizeof(sockaddr_in));
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&sa.storage);
  EXPECT_EQ(bytes[offsetof(sockaddr_in, sin_port)], 0x12);
  EXPECT_EQ(bytes[offsetof(sockaddr_in, sin_port) + 1], 0x34);
  const std::uint8_t addr[4] = {127, 0, 0, 1};
  EXPECT_EQ(std::memcmp(bytes + offsetof(sockaddr_in, sin_addr), addr, 4), 0);
  sa_family_t family = 0;
  std::memcpy(&family, bytes + offsetof(sockaddr_in, sin_family), sizeof(family));
  EXPECT_EQ(family, AF_INET);
}

TEST(Sockaddr, Inet6FlowInfoIsNetworkOrderScopeIdIsHostOrder) {
  std::array<std::uint8_t, 16> ip{};
  ip[0] = 0xfe;
  ip[1] = 0x80;
  ip[15] = 7;
  const Address a = Address::Inet6(ip, 0xabcd, SockType::kDgram, /*scope_id=*/0x01020304,
                                   /*flowinfo=*/0x0a0b0c0d);
  const SockAddr sa = ToSockaddr(a);
  ASSERT_EQ(sa.len, sizeof(sockaddr_in6));
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&sa.storage);
  EXPECT_EQ(bytes[offsetof(sockaddr_in6, sin6_port)], 0xab);
  EXPECT_EQ(bytes[offsetof(sockaddr_in6, sin6_port) + 1], 0xcd);
  const std::uint8_t flow[4] = {0x0a, 0x0b, 0x0c, 0x0d};
  EXPECT_EQ(std::memcmp(bytes + offsetof(sockaddr_in6, sin6_flowinfo), flow, 4), 0);
  const std::uint32_t scope_host = 0x01020304;  // whatever this host's byte order makes of it
  EXPECT_EQ(std::memcmp(bytes + offsetof(sockaddr_in6, sin6_scope_id), &scope_host, 4), 0);
  EXPECT_EQ(std::memcmp(bytes + offsetof(sockaddr_in6, sin6_addr), ip.data(), 16), 0);
  const Parsed<Address> back = FromSockaddr(sa.get(), sa.len, SockType::kDgram);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back.value, a);
}

TEST(Sockaddr, UnixLengths) {
  EXPECT_EQ(ToSockaddr(Address::UnixUnnamed()).len, sizeof(sa_family_t));
  EXPECT_EQ(ToSockaddr(Address::UnixAbstract("")).len, kPathOffset + 1);
  EXPECT_EQ(ToSockaddr(Address::UnixAbstract(std::string("a\0b", 3))).len, kPathOffset + 4);
  const SockAddr path = ToSockaddr(Address::UnixPath("/tmp/s"));
  EXPECT_EQ(path.len, kPathOffset + 7);
  EXPECT_EQ(reinterpret_cast<const char*>(&path.storage)[kPathOffset + 6], '\0');
  // At exactly sizeof(sun_path) there is no room, and no need, for a terminator.
  const SockAddr full = ToSockaddr(Address::UnixPath(std::string(SunPathSize(), 'f')));
  EXPECT_EQ(full.len, kPathOffset + SunPathSize());
}

TEST(Sockaddr, UnterminatedFullLengthPath) {
  const std::string name(SunPathSize(), 'q');
  const SockAddr sa = ToSockaddr(Address::UnixPath(name));
  const Parsed<Address> back = FromSockaddr(sa.get(), sa.len);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value->unix_name, name);
  // Linux getsockname reports offsetof + 108 + 1 for such a path; the byte
  // past sun_path is not part of the name, whatever it holds.
  std::vector<char> buffer(sizeof(sockaddr_un) + 8, 'Z');
  std::memcpy(buffer.data(), &sa.storage, sizeof(sockaddr_un));
  const Parsed<Address> reported =
      FromSockaddr(buffer.data(), kPathOffset + SunPathSize() + 1, SockType::kStream);
  ASSERT_TRUE(reported.ok());
  EXPECT_EQ(*reported.value, Address::UnixPath(name, SockType::kStream));
}

TEST(Sockaddr, PathEndsAtFirstNulOrLength) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::memcpy(un.sun_path, "ab\0cd", 5);
  EXPECT_EQ(FromSockaddr(&un, kPathOffset + 5).value->unix_name, "ab");
  EXPECT_EQ(FromSockaddr(&un, kPathOffset + 1).value->unix_name, "a");
  EXPECT_EQ(FromSockaddr(&un, sizeof(un)).value->unix_name, "ab");
}

TEST(Sockaddr, AbstractNamesKeepEmbeddedNuls) {
  const std::string name("\0ab\0cd\0", 7);
  const SockAddr sa = ToSockaddr(Address::UnixAbstract(name));
  EXPECT_EQ(sa.len, kPathOffset + 1 + name.size());
  const Parsed<Address> back = FromSockaddr(sa.get(), sa.len);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value->kind, AddrKind::kUnixAbstract);
  EXPECT_EQ(back.value->unix_name, name);
  // "\0ab" and "\0ab\0cd" differ: the length decides.
  EXPECT_EQ(FromSockaddr(sa.get(), kPathOffset + 3).value->unix_name, std::string("\0a", 2));
  EXPECT_EQ(FormatAddress(*back.value), R"(unix:@\x00ab\x00cd\x00)");
}

TEST(Sockaddr, EmptyAbstractIsNotUnnamed) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  const Parsed<Address> unnamed = FromSockaddr(&un, sizeof(sa_family_t));
  const Parsed<Address> empty_abstract = FromSockaddr(&un, kPathOffset + 1);
  ASSERT_TRUE(unnamed.ok());
  ASSERT_TRUE(empty_abstract.ok());
  EXPECT_EQ(unnamed.value->kind, AddrKind::kUnixUnnamed);
  EXPECT_EQ(empty_abstract.value->kind, AddrKind::kUnixAbstract);
  EXPECT_EQ(empty_abstract.value->unix_name, "");
  EXPECT_EQ(FormatAddress(*unnamed.value), "unix:");
  EXPECT_EQ(FormatAddress(*empty_abstract.value), "unix:@");
}

TEST(Sockaddr, DecodingIsSafeOnOddLengthsAndBytes) {
  EXPECT_FALSE(FromSockaddr(nullptr, 0).ok());
  EXPECT_FALSE(FromSockaddr(nullptr, 16).ok());
  const std::uint8_t one = AF_INET;
  EXPECT_FALSE(FromSockaddr(&one, 1).ok());

  const SockAddr v4 = ToSockaddr(Address::Loopback4(80));
  const Parsed<Address> short_v4 = FromSockaddr(v4.get(), sizeof(sockaddr_in) - 1);
  ASSERT_FALSE(short_v4.ok());
  EXPECT_EQ(short_v4.error.message(), "sockaddr_in needs 16 bytes, got 15");
  const SockAddr v6 = ToSockaddr(Address::Loopback6(80));
  const Parsed<Address> short_v6 = FromSockaddr(v6.get(), sizeof(sockaddr_in6) - 1);
  ASSERT_FALSE(short_v6.ok());
  EXPECT_EQ(short_v6.error.message(), "sockaddr_in6 needs 28 bytes, got 27");

  // Longer than sockaddr_storage and unaligned: only the first bytes count.
  std::vector<std::uint8_t> big(sizeof(sockaddr_storage) * 2 + 1, 0xee);
  std::memcpy(big.data() + 1, &v4.storage, sizeof(sockaddr_in));
  const Parsed<Address> long_v4 = FromSockaddr(big.data() + 1, big.size() - 1);
  ASSERT_TRUE(long_v4.ok());
  EXPECT_EQ(*long_v4.value, Address::Loopback4(80));

  // A unix sockaddr longer than sockaddr_storage: sun_path is clamped.
  std::fill(big.begin(), big.end(), 0xee);
  sa_family_t unix_family = AF_UNIX;
  std::memcpy(big.data() + 1, &unix_family, sizeof(unix_family));
  const Parsed<Address> long_unix = FromSockaddr(big.data() + 1, big.size() - 1);
  ASSERT_TRUE(long_unix.ok());
  EXPECT_EQ(long_unix.value->unix_name, std::string(SunPathSize(), '\xee'));

  sockaddr_storage unknown{};
  unknown.ss_family = 0x7777;
  const Parsed<Address> bad = FromSockaddr(&unknown, sizeof(unknown));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error.message(), "unknown address family 30583");
  unknown.ss_family = AF_UNSPEC;
  EXPECT_FALSE(FromSockaddr(&unknown, sizeof(unknown)).ok());

  // Every length of every family's encoding decodes or fails cleanly.
  std::mt19937 rng(5);
  for (int n = 0; n < 2000; ++n) {
    std::vector<std::uint8_t> junk(rng() % 300);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    if (junk.size() >= 2) {
      const sa_family_t families[] = {AF_UNIX, AF_INET, AF_INET6};
      std::memcpy(junk.data(), &families[rng() % 3], sizeof(sa_family_t));
    }
    const Parsed<Address> got = FromSockaddr(junk.data(), junk.size());
    if (got.ok()) {
      // Decoded addresses are valid except for NUL-free checks that hold by construction.
      EXPECT_EQ(CheckAddress(*got.value), std::nullopt) << *got.value;
    }
  }
}

// ---------------------------------------------------------------- the rest of the API

TEST(AddressApi, FactoriesFamilyAndSocketType) {
  EXPECT_EQ(FormatAddress(Address::Loopback4(80, SockType::kStream)), "tcp:127.0.0.1:80");
  EXPECT_EQ(FormatAddress(Address::Loopback6(53, SockType::kDgram)), "udp:[::1]:53");
  EXPECT_EQ(FormatAddress(Address::Loopback6()), "inet:[::1]:0");
  EXPECT_EQ(Address::Loopback4().WithPort(9), Address::Loopback4(9));
  EXPECT_EQ(Address::Loopback4().family(), AF_INET);
  EXPECT_EQ(Address::Loopback6().family(), AF_INET6);
  EXPECT_EQ(Address::UnixPath("/x").family(), AF_UNIX);
  EXPECT_EQ(Address::UnixAbstract("x").family(), AF_UNIX);
  EXPECT_EQ(Address::UnixUnnamed().family(), AF_UNIX);
  EXPECT_TRUE(Address::UnixUnnamed().is_unix());
  EXPECT_TRUE(Address::Loopback6().is_inet());
  EXPECT_EQ(ToSocketType(SockType::kStream), SOCK_STREAM);
  EXPECT_EQ(ToSocketType(SockType::kDgram), SOCK_DGRAM);
  EXPECT_EQ(ToSocketType(SockType::kSeqPacket), SOCK_SEQPACKET);
  EXPECT_EQ(ToSocketType(SockType::kUnspecified), 0);
  std::ostringstream os;
  os << Address::UnixAbstract("n", SockType::kStream);
  EXPECT_EQ(os.str(), "unix-stream:@n");
}

TEST(AddressApi, CheckAddressFlagsAddressesWithoutText) {
  EXPECT_NE(CheckAddress(Address::UnixPath("")), std::nullopt);
  EXPECT_NE(CheckAddress(Address::UnixPath(std::string("a\0b", 3))), std::nullopt);
  EXPECT_NE(CheckAddress(Address::UnixPath(std::string(SunPathSize() + 1, 'a'))), std::nullopt);
  EXPECT_NE(CheckAddress(Address::UnixAbstract(std::string(SunPathSize(), 'a'))), std::nullopt);
  EXPECT_NE(CheckAddress(Address::Loopback4(1, SockType::kSeqPacket)), std::nullopt);
  Address both = Address::Loopback6();
  both.scope_id = 1;
  both.scope_name = "lo";
  EXPECT_NE(CheckAddress(both), std::nullopt);
  Address digits = Address::Loopback6();
  digits.scope_name = "12";  // would come back as scope_id 12
  EXPECT_NE(CheckAddress(digits), std::nullopt);
  Address v4_zone = Address::Loopback4();
  v4_zone.scope_id = 1;
  EXPECT_NE(CheckAddress(v4_zone), std::nullopt);
  Address unix_port = Address::UnixPath("/x");
  unix_port.port = 1;
  EXPECT_NE(CheckAddress(unix_port), std::nullopt);
}

TEST(AddressApi, ResolveScopeUsesInterfaceNames) {
  const Address plain = *ParseAddress("tcp:[fe80::1%5]:1").value;
  EXPECT_EQ(ResolveScope(plain), plain);
  const Address named = *ParseAddress("tcp:[fe80::1%lo]:1").value;
  const std::optional<Address> resolved = ResolveScope(named);
  ASSERT_TRUE(resolved.has_value());
  EXPECT_EQ(resolved->scope_id, if_nametoindex("lo"));
  EXPECT_NE(resolved->scope_id, 0u);
  EXPECT_EQ(resolved->scope_name, "");
  EXPECT_EQ(*ParseAddress(FormatAddress(*resolved)).value, *resolved);
  EXPECT_EQ(ResolveScope(*ParseAddress("tcp:[fe80::1%nosuchif9]:1").value), std::nullopt);
  EXPECT_EQ(ResolveScope(Address::UnixPath("/x")), Address::UnixPath("/x"));
}

// ---------------------------------------------------------------- the libc oracle

// Host text that inet_pton must judge exactly as the hand-written grammar does.
const char* const kIPv4Texts[] = {
    "0.0.0.0", "1.2.3.4", "127.0.0.1", "255.255.255.255", "01.2.3.4", "1.2.3.04", "00.0.0.0",
    "0x7f.0.0.1", "0X1.2.3.4", "256.1.1.1", "1.2.3.256", "1.2.3.1000", "2130706433", "127.1",
    "1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4a",
    "a.b.c.d", "", ".", "...", "1.2.3.-4", "+1.2.3.4", "1.2.3.4:80", "1.2.3.4%lo", "::1",
};

const char* const kIPv6Texts[] = {
    "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::8",
    "0:0:0:0:0:0:0:0", "FFFF:ffff::", "2001:db8::1", "fe80::1", "::ffff:1.2.3.4", "::1.2.3.4",
    "1:2:3:4:5:6:1.2.3.4", "64:ff9b::255.255.255.255", "0000:0000::0001", "1::2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
    "1:2::3::4", ":::", "1:::2", ":1::", "1::2:", ":", "1", "12345::", "00000::1",
    "::ffff:01.2.3.4", "::ffff:1.2.3", "::ffff:1.2.3.4.5", "::ffff:256.1.1.1",
    "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::", "::1.2.3.4:5", "1.2.3.4", "::1%lo", "[::1]",
    "fe8g::1", "::1 ", " ::1", "", "::ffff:0x1.2.3.4", "1:2:3:4:5:6:7:8:", "::1.2.3.4.",
};

TEST(LibcOracle, HostGrammarAgreesWithInetPton) {
  for (const char* text : kIPv4Texts) {
    SCOPED_TRACE(text);
    std::uint8_t libc[4];
    const bool libc_ok = inet_pton(AF_INET, text, libc) == 1;
    const auto ours = ParseIPv4Text(text);
    ASSERT_EQ(ours.ok(), libc_ok) << (ours.ok() ? "" : ours.error.Describe());
    if (libc_ok) {
      EXPECT_EQ(std::memcmp(ours.value->data(), libc, 4), 0);
    }
  }
  for (const char* text : kIPv6Texts) {
    SCOPED_TRACE(text);
    std::uint8_t libc[16];
    const bool libc_ok = inet_pton(AF_INET6, text, libc) == 1;
    const auto ours = ParseIPv6Text(text);
    ASSERT_EQ(ours.ok(), libc_ok) << (ours.ok() ? "" : ours.error.Describe());
    if (libc_ok) {
      EXPECT_EQ(std::memcmp(ours.value->data(), libc, 16), 0);
    }
  }
}

// The same comparison on generated strings over the host alphabet.
TEST(LibcOracle, GeneratedHostTextAgreesWithInetPton) {
  static constexpr std::string_view kAlphabet = "0123456789abcdefABCDEF:.x";
  std::mt19937 rng(2024);
  int v4_accepted = 0;
  int v6_accepted = 0;
  for (int n = 0; n < 200000; ++n) {
    std::string text;
    const std::size_t len = rng() % 22;
    const bool bias_v4 = rng() % 2 == 0;  // digits and dots mostly, so some parse
    for (std::size_t k = 0; k < len; ++k) {
      text += bias_v4 ? "0123456789.."[rng() % 12] : kAlphabet[rng() % kAlphabet.size()];
    }
    std::uint8_t libc[16];
    const bool libc_v4 = inet_pton(AF_INET, text.c_str(), libc) == 1;
    const auto ours_v4 = ParseIPv4Text(text);
    ASSERT_EQ(ours_v4.ok(), libc_v4) << text;
    if (libc_v4) {
      ++v4_accepted;
      ASSERT_EQ(std::memcmp(ours_v4.value->data(), libc, 4), 0) << text;
    }
    const bool libc_v6 = inet_pton(AF_INET6, text.c_str(), libc) == 1;
    const auto ours_v6 = ParseIPv6Text(text);
    ASSERT_EQ(ours_v6.ok(), libc_v6) << text;
    if (libc_v6) {
      ++v6_accepted;
      ASSERT_EQ(std::memcmp(ours_v6.value->data(), libc, 16), 0) << text;
    }
  }
  EXPECT_GT(v4_accepted, 0);
  EXPECT_GT(v6_accepted, 0);
}

}  // namespace
}  // namespace sockspec
