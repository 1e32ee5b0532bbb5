#!/usr/bin/env bash
# Runs every libFuzzer target of build/fuzz for N seconds on a copy of its seed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
failed=0
for bin in build/fuzz/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  # seeds live in tests/corpus/<folder> named in the target after the double underscore
  seeds=tests/corpus/$(echo "$name" | sed -E 's/^[^_]+(_[^_]+)*__//; s/_fuzz$//')
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  for d in tests/corpus/*/; do
    case "$name" in *"$(basename "$d")"*) cp -r "$d". "$work"/ 2>/dev/null || true ;; esac
  done
  echo "fuzz: $name for ${seconds}s"
  # A fixed seed keeps CI reproducible; long local runs can drop it.
  if ! "$bin" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work" >"$work.log" 2>&1; then
    echo "fuzz: $name FAILED"; tail -40 "$work.log"; failed=1
  else
    grep -E "stat::number_of_executed_units" "$work.log" || true
  fi
  rm -rf "$work" "$work.log"
done
exit $failed
