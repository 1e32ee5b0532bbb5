#!/usr/bin/env bash
# Runs every libFuzzer target of build/fuzz for N seconds on a copy of its seed corpus, FUZZ_JOBS
# targets at a time (default: one per core; each target is single-threaded, so running them side
# by side gives every target the same N seconds in less wall time).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
jobs=${FUZZ_JOBS:-$(nproc)}

run_one() {  # $1 fuzz binary; prints its result, returns non-zero on a finding
  local bin=$1 name seeds work
  name=$(basename "$bin")
  # seeds live in tests/corpus/<folder> named in the target after the double underscore
  seeds=tests/corpus/$(echo "$name" | sed -E 's/^[^_]+(_[^_]+)*__//; s/_fuzz$//')
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  for d in tests/corpus/*/; do
    case "$name" in *"$(basename "$d")"*) cp -r "$d". "$work"/ 2>/dev/null || true ;; esac
  done
  local status=0
  # A fixed seed keeps CI reproducible; long local runs can drop it.
  if ! "$bin" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
    { echo "fuzz: $name FAILED"; tail -40 "$work.log"; } || true
    status=1
  else
    echo "fuzz: $name ran ${seconds}s: $(grep -E "stat::number_of_executed_units" "$work.log" || true)"
  fi
  rm -rf "$work" "$work.log"
  return $status
}

failed=0
running=0
for bin in build/fuzz/*_fuzz; do
  [ -x "$bin" ] || continue
  if [ "$running" -ge "$jobs" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  run_one "$bin" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit $failed
