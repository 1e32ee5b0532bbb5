#!/usr/bin/env bash
# HTTP/2 frontends side by side in one run on loopback: an nginx origin (1 KiB body) behind
# nghttpx (cleartext frontend, HTTP/1.1 backend) and Consentry (h2c prior knowledge), one worker
# each, pinned to PROXY_CPU while the origin and h2load share LOAD_CPU. h2load opens `conns`
# connections with 10 concurrent streams each (-m 10). Runs alternate between the two proxies for
# ROUNDS rounds; besides requests/s, each proxy's CPU time per request (utime + stime from /proc)
# is reported, steadier than throughput on a shared machine. BASELINE_BIN adds a second Consentry
# binary (e.g. the build before a change) as a third contender in the same rounds.
# Usage: bench/h2_bench.sh [seconds=10] [connections=50]   (needs build/release/consentry)
#        env ROUNDS=3 PROXY_CPU=1 LOAD_CPU=0 PORT_BASE=21181 BASELINE_BIN=path/to/old/consentry
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-50}
bin=${CONSENTRY_BIN:-build/release/consentry}
base=${PORT_BASE:-21181}
# shellcheck source=bench/bench_common.sh
source bench/bench_common.sh  # the script has cd'd to the repository root
bench_setup consentry-h2bench

ORIGIN=$base NGHTTPX=$((base + 1)) CSY=$((base + 2)) CSY_ADMIN=$((base + 12))
BASELINE=$((base + 3)) BASELINE_ADMIN=$((base + 13))
write_origin_conf "$ORIGIN"
cat > "$work/csy.yaml" <<CONF
listeners: [{address: 127.0.0.1:$CSY, http2: true}]
admin: {address: 127.0.0.1:$CSY_ADMIN}
workers: 1
upstreams: [{name: o, servers: [127.0.0.1:$ORIGIN], keepalive: 1024}]
access_log: {path: "off"}
CONF

"${on_load[@]}" nginx -c "$work/origin.conf" & pids+=($!)
"${on_proxy[@]}" nghttpx --frontend="127.0.0.1,$NGHTTPX;no-tls" --backend="127.0.0.1,$ORIGIN" \
  --workers=1 --backend-keep-alive-timeout=60s --no-via --no-server-rewrite \
  --errorlog-file="$work/nghttpx.err" --accesslog-file=/dev/null --pid-file="$work/nghttpx.pid" &
pids+=($!)
"${on_proxy[@]}" "$bin" -c "$work/csy.yaml" 2>"$work/csy.err" & pids+=($!)
sleep 1.5
for _ in $(seq 50); do  # nghttpx serves from a child process, forked late on a busy machine
  nghttpx_worker=$(pgrep -P "${pids[1]}" | head -1 || true)
  [ -n "$nghttpx_worker" ] && break
  sleep 0.2
done
csy_pid=${pids[2]}
if [ -n "${BASELINE_BIN:-}" ]; then
  sed -e "s/:$CSY,/:$BASELINE,/" -e "s/:$CSY_ADMIN}/:$BASELINE_ADMIN}/" "$work/csy.yaml" \
    > "$work/baseline.yaml"
  "${on_proxy[@]}" "$BASELINE_BIN" -c "$work/baseline.yaml" 2>"$work/baseline.err" & pids+=($!)
  baseline_pid=$!
  sleep 1
fi
ticks_per_s=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() {  # $1 name, $2 port, $3 pid whose CPU is counted
  local name=$1 port=$2 pid=$3
  "${on_load[@]}" h2load -c "$conns" -m 10 -D 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
  local before; before=$(cpu_ticks "$pid")
  local out; out=$("${on_load[@]}" h2load -c "$conns" -m 10 -D "$secs" "http://127.0.0.1:$port/")
  local after; after=$(cpu_ticks "$pid")
  local rps done failed cpu
  rps=$(awk '/^finished in/ {print $4}' <<<"$out")
  done=$(awk '/^requests:/ {print $8}' <<<"$out")
  failed=$(awk '/^requests:/ {print $10 + $12}' <<<"$out")
  cpu=$(awk -v t=$((after - before)) -v n="$done" -v hz="$ticks_per_s" \
    'BEGIN {printf "%.1f", t / hz / n * 1e6}')
  printf "%-24s %12s %12s %10s\n" "$name" "$rps" "$cpu" "$failed"
  echo "${name%% *} $rps $cpu" >> "$work/rps"
}

printf "%-24s %12s %12s %10s\n" "h2c proxy (1 worker)" "requests/s" "CPU us/req" "failed"
for round in $(seq "${ROUNDS:-3}"); do
  run "nghttpx #$round" $NGHTTPX "$nghttpx_worker"
  run "consentry #$round" $CSY "$csy_pid"
  if [ -n "${BASELINE_BIN:-}" ]; then run "baseline #$round" $BASELINE "$baseline_pid"; fi
done
echo
awk '{ rs[$1] += $2; cs[$1] += $3 }
  END {
    printf "consentry / nghttpx, h2 (-m 10) requests/s = %.2fx\n", rs["consentry"] / rs["nghttpx"];
    printf "nghttpx / consentry, CPU per request       = %.2fx (>1: consentry cheaper)\n",
           cs["nghttpx"] / cs["consentry"];
    if ("baseline" in rs)
      printf "baseline / consentry, CPU per request      = %.2fx (>1: consentry cheaper)\n",
             cs["baseline"] / cs["consentry"] }' "$work/rps"
