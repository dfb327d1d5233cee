# Cross-build for aarch64 Linux with Debian's g++-aarch64-linux-gnu, run under
# qemu-user. Used by `ci/port aarch64`; by hand:
#   cmake -S . -B build/port-aarch64 -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(SOCKSPEC_TRIPLET aarch64-linux-gnu)
set(SOCKSPEC_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
