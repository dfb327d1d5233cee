// Speed baseline, not a test: the cheapest target that still does libc's part
// of address_parse's differential check (inet_pton for both families on the
// same exact-size copy of the input). address_parse's exec/s is compared with
// this one's, same flags, same machine (see fuzz/README.md).
#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  unsigned char out[16];
  volatile int accepted = inet_pton(AF_INET, text.c_str(), out);
  accepted = accepted + inet_pton(AF_INET6, text.c_str(), out);
  (void)accepted;
  return 0;
}
