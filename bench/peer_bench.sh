#!/usr/bin/env bash
# Side-by-side proxy benchmark on loopback, all in one run on the same machine:
# one nginx origin serving a 1 KiB body, and in front of it nginx, HAProxy, nghttpx and Consentry
# (telemetry off, and telemetry on: every request consented and recorded to a file sink).
# Fairness on a small machine: every proxy gets one worker and is pinned to PROXY_CPU, while the
# origin and wrk share LOAD_CPU (taskset), so a proxy never competes with its own load generator.
# Each proxy is measured ROUNDS times, the order rotating every round, after its own warm-up; the
# table shows the median of the rounds (requests/s, p50, p99) and the spread of requests/s.
# Busy polling is measured as a configuration of its own on both sides that have it, in the same
# rounds: HAProxy with its global `busy-polling` (never sleeps) and Consentry with
# `busy_poll: BUSY_POLL` (polls that long after each event; see docs/configuration.md); BUSY_POLL=0
# leaves both out.
# BASELINE_BIN=path/to/other/consentry adds "consentry+telemetry baseline": that binary with the
# telemetry configuration, in the same rounds, for a before/after ratio measured in one run.
# Usage: bench/peer_bench.sh [seconds=10] [connections=50] [rounds=5]
#        (needs build/release/consentry; PROXY_CPU=1 LOAD_CPU=0 PORT_BASE=18181 IDLE_CONNS=5000
#        BUSY_POLL=200us ORIGIN_BODY=file: the origin serves a file, as before session 6;
#        BASELINE_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-50}
rounds=${3:-5}
base=${PORT_BASE:-18181}
bin=${CONSENTRY_BIN:-build/release/consentry}
# shellcheck source=bench/bench_common.sh
source bench/bench_common.sh  # the script has cd'd to the repository root
bench_setup consentry-bench

ORIGIN=$base NGINX=$((base + 1)) HAPROXY=$((base + 2)) NGHTTPX=$((base + 3)) CSY=$((base + 4))
CSY_T=$((base + 5)) CSY_ADMIN=$((base + 14)) CSY_T_ADMIN=$((base + 15))
HAPROXY_BP=$((base + 6)) CSY_BP=$((base + 7)) CSY_T_BP=$((base + 8))
CSY_BP_ADMIN=$((base + 16)) CSY_T_BP_ADMIN=$((base + 17))
CSY_T_BASE=$((base + 9)) CSY_T_BASE_ADMIN=$((base + 18))
busy_poll=${BUSY_POLL:-200us}

write_origin_conf "$ORIGIN"
write_nginx_proxy_conf "127.0.0.1:$NGINX"
haproxy_conf() {  # $1 port, $2 extra global line
  cat <<CONF
global
  maxconn 8000
  nbthread 1
  $2
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend f
  bind 127.0.0.1:$1
  default_backend b
backend b
  http-reuse always
  server o 127.0.0.1:$ORIGIN
CONF
}
haproxy_conf $HAPROXY "" > "$work/haproxy.cfg"
haproxy_conf $HAPROXY_BP busy-polling > "$work/haproxy_bp.cfg"
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
csy_conf $CSY $CSY_ADMIN "" > "$work/csy.yaml"
telemetry_yaml="consent:
  sources: [{type: cookie, name: site_consent, format: kv, map: {analytics: [analytics]}}]
telemetry: {record: all, visitor_id: none}"
csy_conf $CSY_T $CSY_T_ADMIN "$telemetry_yaml
sinks: [{name: local, type: file, path: $work/events.jsonl}]" > "$work/csy_t.yaml"
csy_conf $CSY_BP $CSY_BP_ADMIN "busy_poll: $busy_poll" > "$work/csy_bp.yaml"
csy_conf $CSY_T_BP $CSY_T_BP_ADMIN "busy_poll: $busy_poll
$telemetry_yaml
sinks: [{name: local, type: file, path: $work/events_bp.jsonl}]" > "$work/csy_t_bp.yaml"

"${on_load[@]}" nginx -c "$work/origin.conf" & pids+=($!)
"${on_proxy[@]}" nginx -c "$work/nginx.conf" & pids+=($!)
"${on_proxy[@]}" haproxy -f "$work/haproxy.cfg" -q & pids+=($!)
"${on_proxy[@]}" nghttpx --frontend="127.0.0.1,$NGHTTPX;no-tls" --backend="127.0.0.1,$ORIGIN" --workers=1 \
  --backend-keep-alive-timeout=60s --no-via --no-server-rewrite --errorlog-file="$work/nghttpx.err" \
  --accesslog-file=/dev/null --pid-file="$work/nghttpx.pid" & pids+=($!)
"${on_proxy[@]}" "$bin" -c "$work/csy.yaml" 2>"$work/csy.err" & pids+=($!)
"${on_proxy[@]}" "$bin" -c "$work/csy_t.yaml" 2>"$work/csy_t.err" & pids+=($!)
names=("origin (direct)" nginx haproxy nghttpx consentry consentry+telemetry)
ports=($ORIGIN $NGINX $HAPROXY $NGHTTPX $CSY $CSY_T)
if [ "$busy_poll" != 0 ]; then
  "${on_proxy[@]}" haproxy -f "$work/haproxy_bp.cfg" -q & pids+=($!)
  "${on_proxy[@]}" "$bin" -c "$work/csy_bp.yaml" 2>"$work/csy_bp.err" & pids+=($!)
  "${on_proxy[@]}" "$bin" -c "$work/csy_t_bp.yaml" 2>"$work/csy_t_bp.err" & pids+=($!)
  names+=("haproxy busy-polling" "consentry busy_poll" "consentry+telemetry busy_poll")
  ports+=($HAPROXY_BP $CSY_BP $CSY_T_BP)
fi
if [ -n "${BASELINE_BIN:-}" ]; then  # last, so that the indexes above (spinner, idle test) hold
  csy_conf $CSY_T_BASE $CSY_T_BASE_ADMIN "$telemetry_yaml
sinks: [{name: local, type: file, path: $work/events_base.jsonl}]" > "$work/csy_t_base.yaml"
  "${on_proxy[@]}" "$BASELINE_BIN" -c "$work/csy_t_base.yaml" 2>"$work/csy_t_base.err" & pids+=($!)
  names+=("consentry+telemetry baseline")
  ports+=($CSY_T_BASE)
fi
for port in "${ports[@]}"; do  # a loaded machine can take seconds to start them all
  for ((try = 0; try < 100; try++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
done
sleep 0.5
# HAProxy's busy-polling never sleeps, not even without traffic: left running, it would take half
# of PROXY_CPU from every other contender (a polling one gets ~50 % of the core, a sleeping one
# is woken on a core that never halts). It is stopped except while it is itself measured.
spinner=""
if [ "$busy_poll" != 0 ]; then spinner=${pids[6]}; kill -STOP "$spinner"; fi

telemetry_args=(-H "Cookie: site_consent=analytics=1" -H "Accept: text/html")

cpu_ticks() {  # user+system clock ticks of process $1 and its children (nginx workers)
  local total=0 p
  for p in $1 $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    total=$((total + $(sed 's/.*) //' /proc/"$p"/stat | awk '{print $12 + $13}')))
  done
  echo "$total"
}

measure() {  # $1 index into names/ports/pids, $2 round: one warm-up and one measured wrk run
  local i=$1 name=${names[$1]} port=${ports[$1]} extra=()
  [[ "$name" == consentry+telemetry* ]] && extra=("${telemetry_args[@]}")
  [ "${pids[$i]}" = "$spinner" ] && kill -CONT "$spinner"
  "${on_load[@]}" wrk -t1 -c"$conns" -d2s "${extra[@]}" "http://127.0.0.1:$port/" >/dev/null 2>&1 || true
  local out before after
  before=$(cpu_ticks "${pids[$i]}")
  out=$("${on_load[@]}" wrk -t1 -c"$conns" -d"${secs}s" --latency "${extra[@]}" "http://127.0.0.1:$port/")
  after=$(cpu_ticks "${pids[$i]}")
  [ "${pids[$i]}" = "$spinner" ] && kill -STOP "$spinner"
  local rps p50 p99 errs requests
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(grep -cE "Non-2xx|Socket errors" <<<"$out" || true)
  # CPU time per request of the server process: what contention from other tenants of the
  # machine distorts least (requests/s and latency suffer from every preemption).
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$rps" "$p50" "$p99" "$errs" "$cpu_us" \
    >> "$work/runs.tsv"
}

echo "proxy on cpu $proxy_cpu, origin + wrk on cpu $load_cpu; $rounds rounds of ${secs}s, $conns connections"
echo "configurations: one worker each; nginx keepalive 64; haproxy http-reuse always (and with"
echo "busy-polling); consentry keepalive 64, busy_poll default (auto; and $busy_poll), telemetry: file sink"
for ((r = 0; r < rounds; r++)); do
  for ((k = 0; k < ${#names[@]}; k++)); do measure $(((k + r) % ${#names[@]})) "$r"; done
  echo "round $((r + 1))/$rounds done (load average $(cut -d' ' -f1 /proc/loadavg))"
done
echo
python3 - "$work/runs.tsv" <<'PY'
import statistics, sys
def ms(text):  # wrk prints 850.00us / 1.47ms / 1.02s
    for unit, scale in (("us", 1e-3), ("ms", 1.0), ("s", 1e3)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float("nan")
runs = {}
for line in open(sys.argv[1]):
    name, _, rps, p50, p99, errs, cpu = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((float(rps), ms(p50), ms(p99), int(errs), float(cpu)))
print(f"{'proxy (1 worker, median)':30} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} "
      f"{'req/s min-max':>17} {'CPU us/req':>10} runs-with-errors")
med = {}
for name, rows in runs.items():
    rps = statistics.median(r[0] for r in rows)
    p50 = statistics.median(r[1] for r in rows)
    p99 = statistics.median(r[2] for r in rows)
    cpu = statistics.median(r[4] for r in rows)
    med[name] = (rps, p50, p99, cpu)
    lo, hi = min(r[0] for r in rows), max(r[0] for r in rows)
    print(f"{name:30} {rps:11,.0f} {p50:8.2f} {p99:8.2f} {lo:8,.0f}-{hi:<8,.0f} {cpu:10.1f} "
          f"{sum(1 for r in rows if r[3])}")
print()
def ratio(a, b):
    print(f"{a + ' / ' + b:52} = {med[a][0] / med[b][0]:.2f}x requests/s, "
          f"p99 {med[a][2]:.2f} vs {med[b][2]:.2f} ms, CPU per request {med[a][3] / med[b][3]:.2f}x")
for peer in ("haproxy", "nginx", "nghttpx"):
    ratio("consentry", peer)
for peer in ("haproxy", "nginx"):
    ratio("consentry+telemetry", peer)
print(f"telemetry cost {100 * (1 - med['consentry+telemetry'][0] / med['consentry'][0]):.1f} %")
if "consentry+telemetry baseline" in med:
    ratio("consentry+telemetry", "consentry+telemetry baseline")
if "consentry busy_poll" in med:
    for ours in ("consentry busy_poll", "consentry+telemetry busy_poll"):
        for peer in ("haproxy busy-polling", "haproxy", "nginx"):
            ratio(ours, peer)
    print("telemetry cost with busy_poll "
          f"{100 * (1 - med['consentry+telemetry busy_poll'][0] / med['consentry busy_poll'][0]):.1f} %")
PY
# The file sink rotates at 100 MiB (events.jsonl.<time>...): count every file of each sink.
count_events() { cat "$work/$1"* 2>/dev/null | wc -l; }
[ -f "$work/events.jsonl" ] && echo "events recorded: $(count_events events.jsonl)"
[ -f "$work/events_bp.jsonl" ] && echo "events recorded (busy_poll): $(count_events events_bp.jsonl)"
[ -f "$work/events_base.jsonl" ] && echo "events recorded (baseline): $(count_events events_base.jsonl)"

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
