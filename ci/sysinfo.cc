// sockspec_sysinfo: describes the system the suite runs on, as JSON on
// stdout, for ci/report's `system` object. It is built for the target and run
// the way the cases are (natively, under qemu-user, in a sandbox), so what it
// prints is the target's view: under qemu-user, uname's machine is the
// emulated one while its release is the host kernel's, and the libc is the
// one qemu loaded.
#include <sys/utsname.h>

#include <cstdio>
#include <string>

#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

#ifndef SOCKSPEC_TARGET_TRIPLE
#define SOCKSPEC_TARGET_TRIPLE "unknown"
#endif

namespace {

// Values here are uname fields and compiler strings: escape the JSON specials.
std::string Json(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Libc() {
#if defined(__GLIBC__)
  return std::string("glibc ") + gnu_get_libc_version();
#elif defined(__BIONIC__)
  return "bionic";
#elif defined(__APPLE__)
  return "libSystem";
#elif defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
  return "BSD libc";
#else
  return "unknown (not glibc; musl defines no version macro)";
#endif
}

std::string Compiler() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

int main() {
  struct utsname u {};
  if (uname(&u) != 0) return 1;
  std::printf(
      "{\"uname\": {\"sysname\": %s, \"release\": %s, \"version\": %s, \"machine\": %s},\n"
      " \"libc\": %s,\n \"compiler\": %s,\n \"target\": %s,\n \"pointer_bits\": %zu,\n"
      " \"byte_order\": %s}\n",
      Json(u.sysname).c_str(), Json(u.release).c_str(), Json(u.version).c_str(),
      Json(u.machine).c_str(), Json(Libc()).c_str(), Json(Compiler()).c_str(),
      Json(SOCKSPEC_TARGET_TRIPLE).c_str(), sizeof(void*) * 8,
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      "\"big-endian\""
#else
      "\"little-endian\""
#endif
  );
  return 0;
}
