# Shared helpers for the ci/ scripts. Source it; do not run it.
# shellcheck shell=bash
set -euo pipefail
SOCKSPEC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$SOCKSPEC_ROOT"
JOBS=${SOCKSPEC_JOBS:-$(nproc 2>/dev/null || echo 2)}

say() { printf '\n==> %s\n' "$*" >&2; }

# configure_and_build PRESET [TARGET...]
configure_and_build() {
  local preset=$1; shift
  say "configure + build: $preset"
  cmake --preset "$preset" >/dev/null
  if [ $# -gt 0 ]; then
    cmake --build --preset "$preset" -j "$JOBS" --target "$@"
  else
    cmake --build --preset "$preset" -j "$JOBS"
  fi
}

# run_ctest PRESET [ctest args...]: runs ctest in that build with JUnit output.
run_ctest() {
  local preset=$1; shift
  local dir="$SOCKSPEC_ROOT/build/$preset"
  say "ctest: $preset $*"
  ctest --test-dir "$dir" -j "$JOBS" --output-on-failure --no-tests=error \
    --output-junit "$dir/junit.xml" "$@"
}

# libfuzzer_options FILE: the [libfuzzer] section of a libFuzzer .options file
# (as ClusterFuzz reads it) as flags, one per line: -key=value.
libfuzzer_options() {
  awk -F'=' '
    /^[ \t]*[#;]/ { next }
    /^\[/ { section = $0; next }
    section == "[libfuzzer]" && NF >= 2 {
      key = $1; value = substr($0, index($0, "=") + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", key); gsub(/^[ \t]+|[ \t]+$/, "", value)
      print "-" key "=" value
    }' "$1"
}

# fuzz_options TARGET: the flags of fuzz/options/TARGET.options. Campaigns, smoke
# runs and speed runs use them, as ClusterFuzzLite does, so every engine fuzzes alike.
fuzz_options() {
  local file="$SOCKSPEC_ROOT/fuzz/options/$1.options"
  [ -f "$file" ] || return 0
  libfuzzer_options "$file"
}

# private_tmpdir NAME: points TMPDIR at a fresh directory that is removed when the
# script exits (it sets the EXIT trap), so the temporary directories of a test process
# that crashed (a port's bug, or its emulator's) go too, not only the ones removed by
# their own destructors.
private_tmpdir() {
  SOCKSPEC_PRIVATE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sockspec-$1.XXXXXX")
  export TMPDIR=$SOCKSPEC_PRIVATE_TMP
  trap 'rm -rf "$SOCKSPEC_PRIVATE_TMP"' EXIT
}

# fuzz_tmpdir FALLBACK: makes a private directory for the fuzz targets' TMPDIR
# (their AF_UNIX names) and prints its path: on /dev/shm when that is a writable
# tmpfs (a socket inode on ext4 costs call_sequence a third of its time), else
# under FALLBACK. The caller removes it.
fuzz_tmpdir() {
  local base=$1
  if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ]; then
    base=/dev/shm
  fi
  mkdir -p "$base"
  mktemp -d "$base/sockspec-fuzz.XXXXXX"
}
