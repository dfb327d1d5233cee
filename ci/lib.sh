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

# fuzz_options TARGET: the libFuzzer flags of fuzz/options/TARGET.options (its
# "key = value" lines, as ClusterFuzzLite reads them), one per line: -key=value.
# Campaigns, smoke runs and speed runs use them, so every engine fuzzes alike.
fuzz_options() {
  local file="$SOCKSPEC_ROOT/fuzz/options/$1.options"
  [ -f "$file" ] || return 0
  sed -n 's/^[[:space:]]*\([a-z_]*\)[[:space:]]*=[[:space:]]*\([^[:space:]]*\)[[:space:]]*$/-\1=\2/p' "$file"
}
