# Sourced by the peer benchmark scripts: a scratch folder that is removed at exit together with
# every server the script started (their PIDs go into `pids`), and the static nginx origin that
# serves the 1 KiB body all proxies are measured against.

# Every script pins the proxies under test to PROXY_CPU and the origin + load generator to
# LOAD_CPU, so a proxy never competes with its own load; many connections need a high fd limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
proxy_cpu=${PROXY_CPU:-1}
load_cpu=${LOAD_CPU:-0}
# Arrays, not functions: a backgrounded function is a subshell, whose pid is not the server's.
on_load=(taskset -c "$load_cpu")
on_proxy=(taskset -c "$proxy_cpu")
# RT_PRIO=N runs everything a script starts under SCHED_FIFO priority N: on a machine shared with
# builds, the contenders then get their cores whenever they are runnable (the kernel still keeps
# 5 % for the rest). It does not make a loaded machine quiet: an idle core still runs the builds,
# so no contender ever waits for a halted core to wake up.
if [ -n "${RT_PRIO:-}" ]; then
  on_load=(chrt -f "$RT_PRIO" "${on_load[@]}")
  on_proxy=(chrt -f "$RT_PRIO" "${on_proxy[@]}")
fi

bench_setup() {  # $1: name prefix of the scratch folder under /tmp
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  chmod 755 "$work"  # nginx workers run as www-data when started by root
  pids=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  # CONT after TERM: a server a script stopped (kill -STOP) only handles the TERM once continued.
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; kill -CONT "$p" 2>/dev/null || true; done
  sleep 0.3
  rm -rf "$work"
}

write_origin_conf() {  # $1: origin port; writes $work/1k.html and $work/origin.conf
  head -c 1024 /dev/zero | tr '\0' 'a' > "$work/1k.html"
  chmod 644 "$work/1k.html"
  # The origin answers from memory (`return 200`), so that it is not what limits the run: serving
  # the file (open, fstat, sendfile, close per request) cost nginx ~28 us per request on the load
  # core in session 5, more than any proxy, and capped every contender at the same requests/s.
  # ORIGIN_BODY=file serves the file instead, as the runs before session 6 did.
  local location
  location="default_type text/html; return 200 \"$(cat "$work/1k.html")\";"
  [ "${ORIGIN_BODY:-memory}" = file ] && location="try_files /1k.html =404;"
  cat > "$work/origin.conf" <<CONF
worker_processes 1; worker_rlimit_nofile 20000; daemon off; pid $work/origin.pid; error_log $work/origin.err;
events { worker_connections 16000; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1; root $work; location / { $location } } }
CONF
}

write_nginx_proxy_conf() {  # $1: listen parameters, $2: extra server-block lines (optional)
  # nginx as a peer proxy: one worker, keep-alive pool of 64 to ORIGIN, in $work/nginx.conf.
  cat > "$work/nginx.conf" <<CONF
worker_processes 1; worker_rlimit_nofile 20000; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 16000; }
http { access_log off; keepalive_requests 1000000;
  upstream o { server 127.0.0.1:$ORIGIN; keepalive 64; }
  server { listen $1;${2:-}
    location / { proxy_pass http://o; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
}

start_tls_proxies() {  # $@: openssl req -newkey arguments for the certificate, e.g. "ec -pkeyopt ..."
  # Uses ORIGIN, NGINX, CSY, CSY_ADMIN and bin. Makes $work/site.{crt,key}, starts the nginx origin
  # on LOAD_CPU and, on PROXY_CPU, nginx with TLS and Consentry with a TLS listener in front of it
  # (pids 0, 1 and 2), both with TLS 1.2 and 1.3 and the same certificate.
  openssl req -x509 -newkey "$@" -nodes -days 2 -subj /CN=bench.test \
    -addext subjectAltName=DNS:bench.test -keyout "$work/site.key" -out "$work/site.crt" 2>/dev/null
  chmod 644 "$work/site.key"
  write_origin_conf "$ORIGIN"
  write_nginx_proxy_conf "127.0.0.1:$NGINX ssl" "
    ssl_certificate $work/site.crt; ssl_certificate_key $work/site.key;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_session_tickets on;"
  cat > "$work/csy.yaml" <<CONF
listeners:
  - address: 127.0.0.1:$CSY
    http2: false
    tls: {certificates: [{cert: $work/site.crt, key: $work/site.key}]}
admin: {address: 127.0.0.1:$CSY_ADMIN}
workers: 1
upstreams: [{name: o, servers: [127.0.0.1:$ORIGIN], keepalive: 64}]
access_log: {path: "off"}
CONF
  # BUSY_POLL sets Consentry's busy_poll (unset: its default, auto).
  if [ -n "${BUSY_POLL:-}" ]; then echo "busy_poll: $BUSY_POLL" >> "$work/csy.yaml"; fi
  "${on_load[@]}" nginx -c "$work/origin.conf" & pids+=($!)
  "${on_proxy[@]}" nginx -c "$work/nginx.conf" & pids+=($!)
  "${on_proxy[@]}" "$bin" -c "$work/csy.yaml" 2>"$work/csy.err" & pids+=($!)
}
