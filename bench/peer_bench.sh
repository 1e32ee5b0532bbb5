#!/usr/bin/env bash
# Side-by-side proxy benchmark on loopback, all in one run on the same machine:
# one nginx origin serving a 1 KiB body, and in front of it nginx, HAProxy, nghttpx and Consentry
# (telemetry off, and telemetry on: every request consented and recorded to a file sink).
# Each proxy gets one worker so the 2-core machine is split evenly (proxy / wrk+origin).
# Usage: bench/peer_bench.sh [seconds=10] [connections=50]   (needs build/release/consentry)
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
secs=${1:-10}
conns=${2:-50}
bin=${CONSENTRY_BIN:-build/release/consentry}
work=$(mktemp -d /tmp/consentry-bench.XXXXXX)
chmod 755 "$work"  # nginx workers run as www-data when started by root
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT

ORIGIN=18181 NGINX=18182 HAPROXY=18183 NGHTTPX=18184 CSY=18185 CSY_T=18186
head -c 1024 /dev/zero | tr '\0' 'a' > "$work/1k.html"
chmod 644 "$work/1k.html"

cat > "$work/origin.conf" <<CONF
worker_processes 1; worker_rlimit_nofile 20000; daemon off; pid $work/origin.pid; error_log $work/origin.err;
events { worker_connections 16000; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$ORIGIN; root $work; location / { try_files /1k.html =404; } } }
CONF
cat > "$work/nginx.conf" <<CONF
worker_processes 1; worker_rlimit_nofile 20000; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 16000; }
http { access_log off; keepalive_requests 1000000;
  upstream o { server 127.0.0.1:$ORIGIN; keepalive 64; }
  server { listen 127.0.0.1:$NGINX;
    location / { proxy_pass http://o; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
cat > "$work/haproxy.cfg" <<CONF
global
  maxconn 8000
  nbthread 1
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend f
  bind 127.0.0.1:$HAPROXY
  default_backend b
backend b
  http-reuse always
  server o 127.0.0.1:$ORIGIN
CONF
csy_conf() {  # $1 port, $2 admin port, $3 extra yaml
  cat <<CONF
listeners: [{address: 127.0.0.1:$1, http2: false}]
admin: {address: 127.0.0.1:$2}
workers: 1
upstreams: [{name: o, servers: [127.0.0.1:$ORIGIN], keepalive: 64}]
access_log: {path: "off"}
$3
CONF
}
csy_conf $CSY 18195 "" > "$work/csy.yaml"
csy_conf $CSY_T 18196 "consent:
  sources: [{type: cookie, name: site_consent, format: kv, map: {analytics: [analytics]}}]
telemetry: {record: all, visitor_id: none}
sinks: [{name: local, type: file, path: $work/events.jsonl}]" > "$work/csy_t.yaml"

nginx -c "$work/origin.conf" & pids+=($!)
nginx -c "$work/nginx.conf" & pids+=($!)
haproxy -f "$work/haproxy.cfg" -q & pids+=($!)
nghttpx --frontend="127.0.0.1,$NGHTTPX;no-tls" --backend="127.0.0.1,$ORIGIN" --workers=1 \
  --backend-keep-alive-timeout=60s --no-via --no-server-rewrite --errorlog-file="$work/nghttpx.err" \
  --accesslog-file=/dev/null --pid-file="$work/nghttpx.pid" & pids+=($!)
"$bin" -c "$work/csy.yaml" 2>"$work/csy.err" & pids+=($!)
"$bin" -c "$work/csy_t.yaml" 2>"$work/csy_t.err" & pids+=($!)
sleep 1.5

run() {  # $1 name, $2 port, extra wrk args...
  local name=$1 port=$2; shift 2
  wrk -t1 -c"$conns" -d2s "$@" "http://127.0.0.1:$port/" >/dev/null 2>&1 || true  # warm-up
  local out; out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency "$@" "http://127.0.0.1:$port/")
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(grep -E "Non-2xx|Socket errors" <<<"$out" | tr '\n' ' ' || true)
  printf "%-26s %12s %10s %10s  %s\n" "$name" "$rps" "$p50" "$p99" "$errs"
  echo "$name $rps" >> "$work/rps"
}

printf "%-26s %12s %10s %10s\n" "proxy (1 worker)" "requests/s" "p50" "p99"
run "origin (direct)" $ORIGIN
run "nginx" $NGINX
run "haproxy" $HAPROXY
run "nghttpx" $NGHTTPX
run "consentry" $CSY
run "consentry+telemetry" $CSY_T -H "Cookie: site_consent=analytics=1" -H "Accept: text/html"
echo
awk '{r[$1]=$2} END {
  printf "consentry / haproxy            = %.2fx\n", r["consentry"]/r["haproxy"];
  printf "consentry / nginx              = %.2fx\n", r["consentry"]/r["nginx"];
  printf "consentry / nghttpx            = %.2fx\n", r["consentry"]/r["nghttpx"];
  printf "consentry+telemetry / haproxy  = %.2fx\n", r["consentry+telemetry"]/r["haproxy"];
  printf "consentry+telemetry / nginx    = %.2fx\n", r["consentry+telemetry"]/r["nginx"];
  printf "telemetry cost                 = %.1f%%\n", 100*(1-r["consentry+telemetry"]/r["consentry"]) }' \
  "$work/rps"
[ -f "$work/events.jsonl" ] && echo "events recorded: $(wc -l < "$work/events.jsonl")"

if [ "${IDLE_CONNS:-5000}" -gt 0 ]; then
  echo
  echo "idle keep-alive memory (${IDLE_CONNS:-5000} connections, RSS growth per connection):"
  # pids: 0 origin, 1 nginx master (its worker is a child), 2 haproxy, 3 nghttpx, 4 consentry
  for entry in "nginx ${pids[1]} $NGINX" "haproxy ${pids[2]} $HAPROXY" \
               "nghttpx ${pids[3]} $NGHTTPX" "consentry ${pids[4]} $CSY"; do
    set -- $entry
    printf "%-12s %s\n" "$1" "$(python3 bench/idle_conns.py "$3" "$2" "${IDLE_CONNS:-5000}")"
  done
fi
