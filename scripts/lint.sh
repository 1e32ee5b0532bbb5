#!/usr/bin/env bash
# Style and static checks of the product code: clang-format (.clang-format) on every C++ file in
# the repository, clang-tidy (.clang-tidy, every warning an error) on each translation unit of
# base/ config/ proxy/ filters/ geo/ events/ (their headers are checked through them). Tests and
# benchmarks are formatted but not tidied: GoogleTest's and Google Benchmark's registration macros
# are what several of the checks exist to flag.
# Usage: scripts/lint.sh   (JOBS=N parallel clang-tidy processes, default nproc)
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t sources < <(git ls-files '*.cc' '*.h')
echo "clang-format: ${#sources[@]} files"
clang-format --dry-run --Werror "${sources[@]}"

cmake --preset lint >/dev/null
echo "clang-tidy: product translation units"
run-clang-tidy -quiet -p build/lint -j "${JOBS:-$(nproc)}" \
  "^$PWD/(base|config|proxy|filters|geo|events)/" >build/lint/clang-tidy.log 2>&1 || {
  grep -E 'warning:|error:' build/lint/clang-tidy.log | sort -u
  echo "clang-tidy failed (full output: build/lint/clang-tidy.log)"
  exit 1
}
echo "lint passed"
