# Shared part of the Debian cross toolchain files: a per-architecture file
# sets SOCKSPEC_TRIPLET (the GNU triplet, which is also Debian's multiarch
# directory) and SOCKSPEC_QEMU (the qemu-user binary), then includes this.
#
# Compilers: <triplet>-gcc / <triplet>-g++ (packages gcc-<triplet>, g++-<triplet>).
# Libraries: the cross libc and libstdc++ live in /usr/<triplet>; GoogleTest and
# RapidCheck come from Debian's multiarch packages (libgtest-dev:<arch>, ...),
# which install into /usr/lib/<triplet> with their CMake package configs. Both
# roots are needed: with /usr/<triplet> alone, find_package(GTest) fails.
#
# Tests run under qemu-user, which CMake's emulator setting applies to ctest
# and to gtest_discover_tests(PRE_TEST). `-L /usr/<triplet>` makes qemu load
# the cross libc. Never install a <arch> package that depends on libc6:<arch>:
# it puts a second, newer libc where -L finds it, and every binary breaks.
if(NOT SOCKSPEC_TRIPLET OR NOT SOCKSPEC_QEMU)
  message(FATAL_ERROR "include debian-cross.cmake from a per-architecture toolchain file")
endif()

set(CMAKE_SYSTEM_NAME Linux)
string(REGEX MATCH "^[^-]+" CMAKE_SYSTEM_PROCESSOR ${SOCKSPEC_TRIPLET})
set(CMAKE_C_COMPILER ${SOCKSPEC_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${SOCKSPEC_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${SOCKSPEC_TRIPLET})

set(CMAKE_FIND_ROOT_PATH /usr/${SOCKSPEC_TRIPLET} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(SOCKSPEC_QEMU_PATH ${SOCKSPEC_QEMU} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${SOCKSPEC_QEMU_PATH};-L;/usr/${SOCKSPEC_TRIPLET})
