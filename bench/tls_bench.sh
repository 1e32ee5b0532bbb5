#!/usr/bin/env bash
# HTTP/1.1 over TLS, side by side in one run on loopback: an nginx origin (cleartext, 1 KiB body)
# behind nginx with TLS and Consentry with TLS, one worker each, the same ECDSA P-256 certificate
# and TLS 1.3 (what wrk negotiates with both). wrk keeps its connections alive in the keep-alive
# runs, so they measure record encryption and proxying; the handshake/request runs send
# "Connection: close" and so measure a new TLS connection per request (wrk resumes the previous
# connection's session from its ticket when it can). Both proxies are pinned to PROXY_CPU while
# the origin and wrk share LOAD_CPU (as in h2_bench.sh), so neither proxy competes with the load
# generator for its core. Runs alternate between the two proxies for ROUNDS rounds. Besides requests/s, each proxy's own CPU time per request (utime +
# stime of its worker process, from /proc) is reported: on a shared, noisy machine that ratio is
# steadier than throughput. Then the idle memory of TLS keep-alive connections.
# Usage: bench/tls_bench.sh [seconds=10] [connections=50]   (needs build/release/consentry)
#        env ROUNDS=3 IDLE_CONNS=2000 PROXY_CPU=1 LOAD_CPU=0 PORT_BASE=20181
#        ORIGIN_BODY=file (the origin serves a file, as before session 6; default: from memory)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-50}
bin=${CONSENTRY_BIN:-build/release/consentry}
base=${PORT_BASE:-20181}
# shellcheck source=bench/bench_common.sh
source bench/bench_common.sh  # the script has cd'd to the repository root
bench_setup consentry-tlsbench

ORIGIN=$base NGINX=$((base + 1)) CSY=$((base + 2)) CSY_ADMIN=$((base + 12))
start_tls_proxies ec -pkeyopt ec_paramgen_curve:P-256
sleep 1.5
nginx_worker=$(pgrep -P "${pids[1]}" | head -1)  # the TLS nginx's single worker process
csy_pid=${pids[2]}
ticks_per_s=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run() {  # $1 name, $2 port, $3 pid whose CPU is counted, extra wrk args...
  local name=$1 port=$2 pid=$3; shift 3
  "${on_load[@]}" wrk -t1 -c"$conns" -d2s "$@" "https://127.0.0.1:$port/" >/dev/null 2>&1 || true  # warm-up
  local before; before=$(cpu_ticks "$pid")
  local out; out=$("${on_load[@]}" wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" "https://127.0.0.1:$port/")
  local after; after=$(cpu_ticks "$pid")
  local rps p50 p99 errs requests cpu
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  cpu=$(awk -v t=$((after - before)) -v n="$requests" -v hz="$ticks_per_s" \
    'BEGIN {printf "%.1f", t / hz / n * 1e6}')
  printf "%-34s %12s %10s %10s %12s  %s\n" "$name" "$rps" "$p50" "$p99" "$cpu" "$errs"
  echo "${name// /_} $rps $cpu" >> "$work/rps"
}

echo "TLS: $(timeout 10 openssl s_client -connect 127.0.0.1:$CSY -servername bench.test \
  </dev/null 2>/dev/null | awk '/^New,/ {print $2, $5}' | tr -d ',')"
printf "%-34s %12s %10s %10s %12s\n" "https proxy (1 worker)" "requests/s" "p50" "p99" "CPU us/req"
for round in $(seq "${ROUNDS:-3}"); do  # alternate: neither always gets the quieter moment
  run "nginx keep-alive #$round" $NGINX "$nginx_worker"
  run "consentry keep-alive #$round" $CSY "$csy_pid"
  run "nginx handshake/request #$round" $NGINX "$nginx_worker" -H "Connection: close"
  run "consentry handshake/request #$round" $CSY "$csy_pid" -H "Connection: close"
done
echo
awk '{
    kind = $1 ~ /keep-alive/ ? "ka" : "hs"; who = $1 ~ /^nginx/ ? "nginx" : "csy";
    rs[who kind] += $2; cs[who kind] += $3 }
  END {
    printf "consentry / nginx, TLS keep-alive requests/s  = %.2fx\n", rs["csyka"] / rs["nginxka"];
    printf "nginx / consentry, TLS keep-alive CPU per req = %.2fx (>1: consentry cheaper)\n",
           cs["nginxka"] / cs["csyka"];
    printf "consentry / nginx, handshake/request req/s    = %.2fx\n", rs["csyhs"] / rs["nginxhs"];
    printf "nginx / consentry, handshake CPU per req      = %.2fx\n", cs["nginxhs"] / cs["csyhs"] }' \
  "$work/rps"

if [ "${IDLE_CONNS:-2000}" -gt 0 ]; then
  echo
  echo "idle TLS keep-alive memory (${IDLE_CONNS:-2000} connections, RSS growth per connection):"
  for entry in "nginx $nginx_worker $NGINX" "consentry $csy_pid $CSY"; do
    set -- $entry
    printf "%-12s %s\n" "$1" "$(python3 bench/idle_conns.py "$3" "$2" "${IDLE_CONNS:-2000}" tls)"
  done
fi
