#!/usr/bin/env bash
# The whole test suite: installs dependencies, lints (scripts/lint.sh), builds the release and
# ASan+UBSan presets, runs every unit and integration test under both, then builds the fuzz
# targets and runs each briefly.
# Usage: scripts/test.sh   (FUZZ_SECONDS=N per-target fuzz time, 0 = skip; CONSENTRY_LINT=0 skips lint)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)

if [ "${CONSENTRY_LINT:-1}" != 0 ]; then
  echo "== lint (clang-format, clang-tidy)"
  scripts/lint.sh
fi

echo "== release build"
cmake --preset release >/dev/null
cmake --build --preset release -j"$jobs"
echo "== release tests"
ctest --preset release -j"$jobs"

echo "== asan+ubsan build (the unit tests and the consentry binary the integration suite drives)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs" --target unit_tests consentry
echo "== asan+ubsan tests (unit tests and the integration suite on the sanitized binary)"
# Any ASan, LeakSanitizer or UBSan report fails its test: the unit tests abort on the first one;
# in the integration suite conftest.py also collects the reports of every process it started
# (leaks are reported when the proxy exits after its SIGTERM drain).
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j"$jobs"

fuzz_seconds=${FUZZ_SECONDS:-30}
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== fuzz targets (${fuzz_seconds}s each, $jobs at a time)"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j"$jobs" --target fuzz_targets
  scripts/run-fuzzers.sh "$fuzz_seconds"
fi
echo "== all tests passed"
