"""`busy_poll`: a worker keeps polling after its last event instead of sleeping, serves as usual
while it does, stops polling once traffic stops, and follows a reload.

Polling is observed through the worker thread's voluntary context switches: a worker that sleeps
between requests switches out at least once per request, a polling one does not (on a busy machine
it is still preempted, but those switches are involuntary). Idleness is observed through the
process's CPU time."""
import http.client
import os
import signal
import time

from conftest import SLOWDOWN, raw_exchange, status_of, wait_for

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def voluntary_switches(pid, thread="csy-worker-0"):
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/comm") as f:
            if f.read().strip() != thread:
                continue
        with open(f"/proc/{pid}/task/{task}/status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split()[1])
    raise AssertionError(f"no thread named {thread}")


def switches_per_request(proxy, seconds):
    before = voluntary_switches(proxy.proc.pid)
    statuses = sparse_requests(proxy, seconds)
    assert statuses and set(statuses) == {200}
    return (voluntary_switches(proxy.proc.pid) - before) / len(statuses)


def sparse_requests(proxy, seconds, gap=0.002):
    """One request every `gap` seconds on one keep-alive connection; returns the statuses."""
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5 * SLOWDOWN)
    statuses = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        time.sleep(gap)
    conn.close()
    return statuses


def cpu_during(proxy, action):
    before = cpu_seconds(proxy.proc.pid)
    started = time.monotonic()
    result = action()
    return cpu_seconds(proxy.proc.pid) - before, time.monotonic() - started, result


def test_busy_poll_serves_polls_under_traffic_and_sleeps_when_idle(make_proxy, origin):
    p = make_proxy(config=_config(origin, "10ms"))
    # Requests 2 ms apart never let a 10 ms window expire: the worker polls the whole time.
    switches = switches_per_request(p, 1.0)
    assert switches < 0.3, f"{switches:.2f} voluntary context switches per request: it slept"
    # Pipelining and a header timeout (a timer event) behave as without polling.
    raw = raw_exchange(p.port, b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n" * 3, timeout=2)
    assert raw.count(b"HTTP/1.1 200") == 3
    assert status_of(raw_exchange(p.port, b"GET / HTTP/1.1\r\nHost: a\r\n", timeout=3)) == 408
    # No traffic: one window after the last event the worker sleeps.
    time.sleep(0.2)
    cpu, elapsed, _ = cpu_during(p, lambda: time.sleep(1.5))
    assert cpu < 0.05 * elapsed, f"{cpu:.2f}s of CPU in {elapsed:.2f}s idle: still polling"


def test_busy_poll_off_after_reload(make_proxy, origin):
    p = make_proxy(config=_config(origin, "10ms"))
    switches = switches_per_request(p, 0.5)
    assert switches < 0.3, f"{switches:.2f} voluntary context switches per request: it slept"
    reloads = p.metric("consentry_reloads_total", result="ok")
    p.write_config(_config(origin, "0").replace("{PORT}", str(p.port))
                   .replace("{ADMIN}", str(p.admin_port)))
    p.send_signal(signal.SIGHUP)
    assert wait_for(lambda: p.metric("consentry_reloads_total", result="ok") > reloads, 5)
    sparse_requests(p, 0.2)  # the worker adopts the new config
    switches = switches_per_request(p, 0.5)
    assert switches > 0.7, f"{switches:.2f} voluntary context switches per request: still polling"


def _config(origin, window):
    return f"""
listeners:
  - address: 127.0.0.1:{{PORT}}
admin: {{address: 127.0.0.1:{{ADMIN}}}}
workers: 1
busy_poll: {window}
limits: {{header_timeout: 1s}}
upstreams:
  - name: site
    servers: [{origin.address}]
drain_timeout: 5s
access_log: {{path: off}}
"""
