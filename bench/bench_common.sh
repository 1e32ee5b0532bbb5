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
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.3
  rm -rf "$work"
}

write_origin_conf() {  # $1: origin port; writes $work/1k.html and $work/origin.conf
  head -c 1024 /dev/zero | tr '\0' 'a' > "$work/1k.html"
  chmod 644 "$work/1k.html"
  cat > "$work/origin.conf" <<CONF
worker_processes 1; worker_rlimit_nofile 20000; daemon off; pid $work/origin.pid; error_log $work/origin.err;
events { worker_connections 16000; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1; root $work; location / { try_files /1k.html =404; } } }
CONF
}
