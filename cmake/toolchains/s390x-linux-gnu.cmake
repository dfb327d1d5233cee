# Cross-build for s390x Linux (64-bit, big-endian) with Debian's
# g++-s390x-linux-gnu, run under qemu-user. Used by `ci/port s390x`; by hand:
#   cmake -S . -B build/port-s390x -G Ninja \
#     -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake
# Big-endian: byte-order mistakes in sockaddr encoding show here. No ASan:
# it cannot map its shadow memory under qemu-s390x (UBSan works).
set(SOCKSPEC_TRIPLET s390x-linux-gnu)
set(SOCKSPEC_QEMU qemu-s390x)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross.cmake)
