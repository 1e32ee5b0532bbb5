#!/usr/bin/env bash
# Quick start: installs dependencies, builds the release preset, starts the demo origin on
# 127.0.0.1:8081 and runs Consentry on the embedded default config (conf/consentry.yaml:
# http://localhost:8080, admin on 127.0.0.1:9901). Consentry runs inside run/ (git-ignored), so
# the config's relative paths land there: events in run/events/events.jsonl, never in the source
# tree's events/ folder. Extra arguments go to consentry. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target consentry

python3 demo/origin.py --listen 127.0.0.1:8081 &
origin=$!
trap 'kill $origin 2>/dev/null || true' EXIT
root=$(pwd)
mkdir -p run
cd run
[ $# -eq 0 ] && set -- -c "$root/conf/consentry.yaml"
echo "demo: open http://localhost:8080/ — events are written to $(pwd)/events/events.jsonl"
"$root/build/release/consentry" "$@"
