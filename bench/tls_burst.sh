#!/usr/bin/env bash
# New TLS connections arriving at once: h2load opens `conns` connections together, each a full
# TLS 1.3 handshake (RSA-2048 certificate, so the proxy's signature dominates) and one HTTP/1.1
# request. h2load's "time for request" (request sent -> response received) shows how long a
# connection that finished its handshake waits behind the handshakes still queued; "time for
# connect" how long the handshakes themselves took. nginx (TLS 1.2 and 1.3, as Consentry) and
# Consentry, set up as in tls_bench.sh, alternate, pinned as in tls_bench.sh; RT_PRIO=10 keeps other work off their cores.
# Usage: bench/tls_burst.sh [connections=100]   env ROUNDS=3 PORT_BASE=22181 CONSENTRY_BIN=...
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-100}
bin=${CONSENTRY_BIN:-build/release/consentry}
base=${PORT_BASE:-22181}
# shellcheck source=bench/bench_common.sh
source bench/bench_common.sh  # the script has cd'd to the repository root
bench_setup consentry-tlsburst

ORIGIN=$base NGINX=$((base + 1)) CSY=$((base + 2)) CSY_ADMIN=$((base + 12))
start_tls_proxies rsa:2048
for port in $NGINX $CSY; do  # both may take seconds to listen on a busy machine
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
done

# h2load prints min, max, mean, sd for each timing.
printf "%-14s %22s %22s %10s\n" "$conns new TLS" "request mean/max" "connect mean/max" "all done"
for round in $(seq "${ROUNDS:-3}"); do
  for entry in "nginx $NGINX" "consentry $CSY"; do
    set -- $entry
    out=$("${on_load[@]}" h2load --h1 -c "$conns" -n "$conns" "https://127.0.0.1:$2/" 2>&1)
    if ! grep -q "succeeded, 0 failed, 0 errored" <<<"$out"; then
      echo "$1: some requests failed" >&2
      grep '^requests:' <<<"$out" >&2
    fi
    printf "%-14s %22s %22s %10s\n" "$1 #$round" \
      "$(awk '/^time for request:/ {print $6 " / " $5}' <<<"$out")" \
      "$(awk '/^time for connect:/ {print $6 " / " $5}' <<<"$out")" \
      "$(awk '/^finished in/ {print $3}' <<<"$out" | tr -d ,)"
  done
done
