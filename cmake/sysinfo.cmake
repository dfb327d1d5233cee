# sockspec_sysinfo (ci/sysinfo.cc): the system description ci/report puts in
# the conformance matrix. Built for the target like every test program, into
# <build>/tools/, where ci/report looks for it.
#
# The target triple: the compiler's explicit target (clang --target) if any,
# else the multiarch directory (Debian cross and native toolchains both set
# it), else processor-system.
if(CMAKE_CXX_COMPILER_TARGET)
  set(SOCKSPEC_TARGET_TRIPLE ${CMAKE_CXX_COMPILER_TARGET})
elseif(CMAKE_LIBRARY_ARCHITECTURE)
  set(SOCKSPEC_TARGET_TRIPLE ${CMAKE_LIBRARY_ARCHITECTURE})
else()
  set(SOCKSPEC_TARGET_TRIPLE ${CMAKE_SYSTEM_PROCESSOR}-${CMAKE_SYSTEM_NAME})
endif()

add_executable(sockspec_sysinfo ${PROJECT_SOURCE_DIR}/ci/sysinfo.cc)
target_compile_definitions(sockspec_sysinfo PRIVATE
  SOCKSPEC_TARGET_TRIPLE="${SOCKSPEC_TARGET_TRIPLE}")
set_target_properties(sockspec_sysinfo PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tools)

# The emulator a cross build runs its programs under (a toolchain file's
# CMAKE_CROSSCOMPILING_EMULATOR is not a cache variable), for ci/report, which
# runs the programs itself: one argument a line, empty for a native build.
string(REPLACE ";" "\n" SOCKSPEC_EMULATOR_LINES "${CMAKE_CROSSCOMPILING_EMULATOR}")
file(WRITE ${CMAKE_BINARY_DIR}/tools/emulator "${SOCKSPEC_EMULATOR_LINES}\n")

# ci/report's own self-test (a fake gtest program stands in for the cases).
if(SOCKSPEC_BUILD_TESTS)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_Interpreter_FOUND)
    add_test(NAME report_selftest COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/ci/report_test.py)
    set_tests_properties(report_selftest PROPERTIES LABELS unit TIMEOUT 120)
  endif()
endif()
