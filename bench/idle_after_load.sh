#!/usr/bin/env bash
# Idle keep-alive memory after load (SPEC §10), peer_bench's protocol without its other proxies:
# every round starts fresh servers (nginx origin, nginx proxy, one Consentry per binary), loads
# each proxy with wrk, then opens the idle connections (bench/idle_conns.py) against each in turn.
# Servers are restarted per round and the order rotates, so binaries can be compared in one run.
# Usage: bench/idle_after_load.sh [rounds=3] [idle=5000] [load-seconds=4] BIN...
#        (PROXY_CPU, LOAD_CPU, PORT_BASE=18181 and RT_PRIO as in bench_common.sh; BIN defaults to
#        build/release/consentry; LOAD_CONNS=50)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
idle=${2:-5000}
secs=${3:-4}
shift $(($# < 3 ? $# : 3))
bins=("$@")
[ ${#bins[@]} -eq 0 ] && bins=(build/release/consentry)
base=${PORT_BASE:-18181}
# shellcheck source=bench/bench_common.sh
source bench/bench_common.sh
bench_setup consentry-idle

# Loopback ports inside the ephemeral range can be taken by a previous round's client sockets
# (TIME-WAIT included): take the next port no socket uses.
next_free_port() {
  local p=$1
  while [ -n "$(ss -tanH "( sport = :$p )")" ]; do p=$((p + 1)); done
  echo "$p"
}

wait_port() {
  for ((try = 0; try < 100; try++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
}

ORIGIN=$(next_free_port "$base")
write_origin_conf "$ORIGIN"
"${on_load[@]}" nginx -c "$work/origin.conf" & pids+=($!)
wait_port "$ORIGIN"

names=(nginx)
for ((b = 0; b < ${#bins[@]}; b++)); do names+=("consentry[$b]"); done
echo "idle keep-alive memory after load: $rounds rounds, wrk -t1 -c${LOAD_CONNS:-50} -d${secs}s, then $idle idle connections"
for ((b = 0; b < ${#bins[@]}; b++)); do echo "consentry[$b] = ${bins[$b]}"; done
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < ${#names[@]}; k++)); do
    i=$(((k + r) % ${#names[@]}))
    port=$(next_free_port $((base + 2 + 10 * r + i)))
    if [ "$i" -eq 0 ]; then
      write_nginx_proxy_conf "127.0.0.1:$port"
      "${on_proxy[@]}" nginx -c "$work/nginx.conf" & pid=$!
    else
      cat > "$work/csy.yaml" <<CONF
listeners: [{address: 127.0.0.1:$port, http2: false}]
admin: {address: 127.0.0.1:$(next_free_port $((base + 500 + 10 * r + i)))}
workers: 1
upstreams: [{name: o, servers: [127.0.0.1:$ORIGIN], keepalive: 64}]
access_log: {path: "off"}
CONF
      "${on_proxy[@]}" "${bins[$((i - 1))]}" -c "$work/csy.yaml" 2>"$work/csy.err" & pid=$!
    fi
    wait_port "$port"
    "${on_load[@]}" wrk -t1 -c"${LOAD_CONNS:-50}" -d"${secs}s" "http://127.0.0.1:$port/" >/dev/null
    sleep 1
    echo "round $((r + 1)) ${names[$i]}: $("${on_load[@]}" python3 bench/idle_conns.py "$port" "$pid" "$idle")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
