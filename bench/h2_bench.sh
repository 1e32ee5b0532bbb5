#!/usr/bin/env bash
# HTTP/2 frontends side by side in one run on loopback: an nginx origin (1 KiB body) behind
# nghttpx (cleartext frontend, HTTP/1.1 backend) and Consentry (h2c prior knowledge), one worker
# each, pinned to PROXY_CPU while the origin and h2load share LOAD_CPU. h2load opens `conns`
# connections with 10 concurrent streams each (-m 10). Runs alternate between the two proxies for
# ROUNDS rounds; besides requests/s, each proxy's CPU time per request (utime + stime from /proc)
# is reported, steadier than throughput on a shared machine. BASELINE_BIN adds a second Consentry
# binary (e.g. the build before a change) as a third contender in the same rounds.
# The load core's side is reported too, because the proxy changes what it costs: the origin
# worker's and h2load's CPU per request, each core's softirq time per request (loopback TCP work
# charged to no process) and the sleeps (voluntary context switches) per 100 requests of each
# proxy's and the origin's event-loop thread. On a VM whose idle vCPUs halt, every sleep of the
# proxy is a wake-up that the origin or h2load pays for on the load core.
# Usage: bench/h2_bench.sh [seconds=10] [connections=50]   (needs build/release/consentry)
#        env ROUNDS=3 PROXY_CPU=1 LOAD_CPU=0 PORT_BASE=21181 BASELINE_BIN=path/to/old/consentry
#        ORIGIN_BODY=file (the origin serves a file, as before session 6; default: from memory)
#        BUSY_POLL=0 / BASELINE_BUSY_POLL=50us (Consentry's busy_poll key; unset: its default)
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
# Without BUSY_POLL the product default (busy_poll: auto) is measured.
[ -n "${BUSY_POLL:-}" ] && echo "busy_poll: $BUSY_POLL" >> "$work/csy.yaml"

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
  sed -e "s/:$CSY,/:$BASELINE,/" -e "s/:$CSY_ADMIN}/:$BASELINE_ADMIN}/" -e "/^busy_poll:/d" \
    "$work/csy.yaml" > "$work/baseline.yaml"
  [ -n "${BASELINE_BUSY_POLL:-}" ] && echo "busy_poll: $BASELINE_BUSY_POLL" >> "$work/baseline.yaml"
  "${on_proxy[@]}" "$BASELINE_BIN" -c "$work/baseline.yaml" 2>"$work/baseline.err" & pids+=($!)
  baseline_pid=$!
  sleep 1
fi
ticks_per_s=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# A core's softirq ticks (where loopback TCP does much of its receive work, charged to no process).
softirq_ticks() { awk -v c="cpu$1" '$1 == c {print $8}' /proc/stat; }
for _ in $(seq 50); do  # the origin's single worker process
  origin_worker=$(pgrep -P "${pids[0]}" | head -1 || true)
  [ -n "$origin_worker" ] && break
  sleep 0.2
done
# Voluntary context switches (sleeps) of a process's busiest thread (its event loop; Consentry's
# other threads wake on timers of their own).
busiest_task() {
  for t in /proc/"$1"/task/*; do echo "$(awk '{print $14 + $15}' "$t/stat") $t"; done |
    sort -rn | awk 'NR == 1 {print $2}'
}
sleeps() { awk '/^voluntary_ctxt_switches/ {print $2}' "$1/status"; }

run() {  # $1 name, $2 port, $3 pid whose CPU is counted
  local name=$1 port=$2 pid=$3
  "${on_load[@]}" h2load -c "$conns" -m 10 -D 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
  local before origin_before sleeps_before origin_sleeps_before task origin_task
  task=$(busiest_task "$pid") origin_task=$(busiest_task "$origin_worker")
  before=$(cpu_ticks "$pid") origin_before=$(cpu_ticks "$origin_worker")
  sleeps_before=$(sleeps "$task") origin_sleeps_before=$(sleeps "$origin_task")
  local sirq_load_before sirq_proxy_before
  sirq_load_before=$(softirq_ticks "$load_cpu") sirq_proxy_before=$(softirq_ticks "$proxy_cpu")
  # h2load's own CPU comes from GNU time (user and system seconds, voluntary switches).
  local out; out=$("${on_load[@]}" /usr/bin/time -f "h2load-cpu %U %S %w" -o "$work/h2load.time" \
    h2load -c "$conns" -m 10 -D "$secs" "http://127.0.0.1:$port/")
  local after origin_after sleeps_after origin_sleeps_after
  after=$(cpu_ticks "$pid") origin_after=$(cpu_ticks "$origin_worker")
  sleeps_after=$(sleeps "$task") origin_sleeps_after=$(sleeps "$origin_task")
  local sirq_load sirq_proxy
  sirq_load=$(($(softirq_ticks "$load_cpu") - sirq_load_before))
  sirq_proxy=$(($(softirq_ticks "$proxy_cpu") - sirq_proxy_before))
  local rps completed failed cpu origin_cpu h2load_cpu proxy_sleeps origin_sleeps
  rps=$(awk '/^finished in/ {print $4}' <<<"$out")
  completed=$(awk '/^requests:/ {print $8}' <<<"$out")
  failed=$(awk '/^requests:/ {print $10 + $12}' <<<"$out")
  per_req() { awk -v t="$1" -v n="$completed" -v hz="$ticks_per_s" 'BEGIN {printf "%.1f", t / hz / n * 1e6}'; }
  cpu=$(per_req $((after - before)))
  origin_cpu=$(per_req $((origin_after - origin_before)))
  h2load_cpu=$(awk -v n="$completed" '/^h2load-cpu/ {printf "%.1f", ($2 + $3) / n * 1e6}' "$work/h2load.time")
  proxy_sleeps=$(awk -v s=$((sleeps_after - sleeps_before)) -v n="$completed" 'BEGIN {printf "%.2f", s / n * 100}')
  origin_sleeps=$(awk -v s=$((origin_sleeps_after - origin_sleeps_before)) -v n="$completed" \
    'BEGIN {printf "%.2f", s / n * 100}')
  printf "%-18s %10s %9s %9s %9s %9s %9s %9s %9s %7s\n" "$name" "$rps" "$cpu" "$origin_cpu" \
    "$h2load_cpu" "$(per_req "$sirq_proxy")" "$(per_req "$sirq_load")" "$proxy_sleeps" \
    "$origin_sleeps" "$failed"
  echo "${name%% *} $rps $cpu $origin_cpu $h2load_cpu" >> "$work/rps"
}

# CPU us/req: proxy worker, origin worker, h2load, softirq on the proxy core and the load core;
# sleeps (voluntary context switches) per 100 requests: proxy, origin.
printf "%-18s %10s %9s %9s %9s %9s %9s %9s %9s %7s\n" "h2c proxy (1 wkr)" "req/s" "proxy-us" \
  "origin-us" "h2load-us" "sirqP-us" "sirqL-us" "proxy-zz" "origin-zz" "failed"
for round in $(seq "${ROUNDS:-3}"); do
  run "nghttpx #$round" $NGHTTPX "$nghttpx_worker"
  run "consentry #$round" $CSY "$csy_pid"
  if [ -n "${BASELINE_BIN:-}" ]; then run "baseline #$round" $BASELINE "$baseline_pid"; fi
done
echo
awk '{ rs[$1] += $2; cs[$1] += $3; os[$1] += $4; ls[$1] += $5; n[$1]++ }
  END {
    printf "consentry / nghttpx, h2 (-m 10) requests/s = %.2fx\n", rs["consentry"] / rs["nghttpx"];
    printf "nghttpx / consentry, CPU per request       = %.2fx (>1: consentry cheaper)\n",
           cs["nghttpx"] / cs["consentry"];
    printf "load core (origin + h2load) CPU per request = %.1f us behind nghttpx, %.1f behind consentry\n",
           (os["nghttpx"] + ls["nghttpx"]) / n["nghttpx"],
           (os["consentry"] + ls["consentry"]) / n["consentry"];
    if ("baseline" in rs) {
      printf "baseline / nghttpx, requests/s             = %.2fx\n", rs["baseline"] / rs["nghttpx"];
      printf "baseline / consentry, CPU per request      = %.2fx (>1: consentry cheaper)\n",
             cs["baseline"] / cs["consentry"] } }' "$work/rps"
