#!/usr/bin/env bash
# The whole test suite: installs dependencies, builds the release and ASan+UBSan presets, runs
# every unit and integration test under both, then builds the fuzz targets and runs each briefly.
# Usage: scripts/test.sh            (FUZZ_SECONDS=N to change the per-target fuzz time, 0 = skip)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
echo "== release tests"
ctest --preset release -j"$jobs"

echo "== asan+ubsan build (the unit tests; the consentry binary only with ASAN_INTEGRATION=1)"
cmake --preset asan >/dev/null
asan_targets=(unit_tests)
[ "${ASAN_INTEGRATION:-0}" = 1 ] && asan_targets+=(consentry)
cmake --build --preset asan -j"$jobs" --target "${asan_targets[@]}"
echo "== asan+ubsan tests (unit tests; the integration suite runs on the release binary)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs" -E '^integration$'
if [ "${ASAN_INTEGRATION:-0}" = 1 ]; then
  echo "== integration tests on the asan+ubsan binary"
  ASAN_OPTIONS=detect_leaks=0 ctest --preset asan -R '^integration$'
fi

fuzz_seconds=${FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== fuzz targets (${fuzz_seconds}s each, $jobs at a time)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j"$jobs" --target fuzz_targets
  scripts/run-fuzzers.sh "$fuzz_seconds"
fi
echo "== all tests passed"
