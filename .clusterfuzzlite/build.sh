#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build script: runs inside the base-builder image
# (see Dockerfile), or here through ci/oss-fuzz-check.
#
# Builds every fuzz target with the project's own CMake (fuzz/CMakeLists.txt)
# and installs into $OUT, for each target T:
#   T                   the libFuzzer binary
#   T_seed_corpus.zip   fuzz/corpus/T + fuzz/found/T (earlier campaigns' finds)
#                       + fuzz/regressions/T (past findings)
#   T.dict              fuzz/dict/T.dict
#   T.options           libFuzzer options: the dictionary and max_len
#
# Uses only what that environment provides: $CC $CXX $CFLAGS $CXXFLAGS
# $LIB_FUZZING_ENGINE $SRC $WORK $OUT. Sanitizer and coverage instrumentation
# come from $CFLAGS/$CXXFLAGS (address, undefined, memory and coverage builds
# set them differently), so the project adds none of its own: SOCKSPEC_SANITIZE
# and SOCKSPEC_FUZZ_INSTRUMENT are off, and the build type is empty so CMake
# adds no -O or -DNDEBUG over $CFLAGS (asserts stay on while fuzzing).
# Warnings are not errors here: the image's clang is newer than the one the
# project's own CI pins.

src="$SRC/sockspec"
build="$WORK/sockspec-build"

cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DSOCKSPEC_FUZZ=ON \
  -DSOCKSPEC_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DSOCKSPEC_FUZZ_INSTRUMENT= \
  -DSOCKSPEC_SANITIZE=OFF \
  -DSOCKSPEC_WERROR=OFF \
  -DSOCKSPEC_BUILD_TESTS=OFF \
  -DSOCKSPEC_BUILD_BENCH=OFF

# The fuzz targets are the project's: each has a corpus-replay test named
# fuzz_replay_T (fuzz/CMakeLists.txt), so ctest lists them without a second,
# hand-kept list here.
mapfile -t targets < <(ctest --test-dir "$build" -N -L fuzz |
                       sed -n 's/^ *Test *#[0-9]*: fuzz_replay_\([A-Za-z0-9_-]*\)$/\1/p')
if [ ${#targets[@]} -eq 0 ]; then
  echo "build.sh: no fuzz targets found (ctest -N -L fuzz lists no fuzz_replay_*)" >&2
  exit 1
fi
echo "build.sh: fuzz targets: ${targets[*]}"

cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

for t in "${targets[@]}"; do
  cp "$build/fuzz/$t" "$OUT/$t"

  # Seed corpus: flat zip; regressions get a prefix so names never collide.
  seeds="$WORK/seeds-$t"
  rm -rf "$seeds"
  mkdir -p "$seeds"
  if [ -d "$src/fuzz/corpus/$t" ]; then
    find "$src/fuzz/corpus/$t" -type f ! -name '.*' -exec cp {} "$seeds/" \;
  fi
  if [ -d "$src/fuzz/found/$t" ]; then
    find "$src/fuzz/found/$t" -type f ! -name '.*' -exec cp {} "$seeds/" \;
  fi
  if [ -d "$src/fuzz/regressions/$t" ]; then
    find "$src/fuzz/regressions/$t" -type f ! -name '.*' -print0 |
      while IFS= read -r -d '' f; do cp "$f" "$seeds/regression-$(basename "$f")"; done
  fi
  rm -f "$OUT/${t}_seed_corpus.zip"
  if [ -n "$(ls -A "$seeds")" ]; then
    zip -q -j -X "$OUT/${t}_seed_corpus.zip" "$seeds"/*
  fi
  rm -rf "$seeds"

  # The project's options (fuzz/options/T.options: max_len...), plus the dictionary.
  if [ -f "$src/fuzz/options/$t.options" ]; then
    cp "$src/fuzz/options/$t.options" "$OUT/$t.options"
  else
    echo "[libfuzzer]" >"$OUT/$t.options"
  fi
  if [ -f "$src/fuzz/dict/$t.dict" ]; then
    cp "$src/fuzz/dict/$t.dict" "$OUT/$t.dict"
    echo "dict = $t.dict" >>"$OUT/$t.options"
  fi
done
