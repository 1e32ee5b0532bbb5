"""Operations through the real binary: CLI, admin endpoints, reload, drain (SPEC §1, §7)."""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

from conftest import BIN, free_port, http_get, wait_for


def run(*args, input=None, cwd=None):
    return subprocess.run([BIN, *args], capture_output=True, input=input, timeout=30, cwd=cwd)


def test_version_and_help():
    assert run("--version").returncode == 0
    out = run("--help")
    assert out.returncode == 0 and b"--check" in out.stdout + out.stderr


def test_usage_error_exits_2():
    assert run("--no-such-flag").returncode == 2


def test_check_ok(workdir):
    path = os.path.join(workdir, "c.yaml")
    with open(path, "w") as f:
        f.write("upstreams: [{name: a, servers: [127.0.0.1:1]}]\n")
    out = run("-c", path, "--check")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == b"ok"


def test_check_reports_file_line_col(workdir):
    path = os.path.join(workdir, "bad.yaml")
    with open(path, "w") as f:
        f.write("upstreams:\n  - name: a\n    servers: [127.0.0.1:1]\n    bogus_key: 1\n"
                "drain_timeout: soon\n")
    out = run("-c", path, "--check")
    assert out.returncode == 1
    lines = out.stdout.decode().strip().splitlines() + out.stderr.decode().strip().splitlines()
    assert any(line.startswith(f"{path}:4:5:") for line in lines), lines
    assert any(line.startswith(f"{path}:5:16:") for line in lines), lines


def test_dump_config_fills_defaults_and_redacts(workdir):
    path = os.path.join(workdir, "c.yaml")
    with open(path, "w") as f:
        f.write("upstreams: [{name: a, servers: [127.0.0.1:1]}]\n"
                "sinks: [{name: c, type: http, url: 'http://127.0.0.1:1/e',"
                " headers: {Authorization: 'Bearer s3cr3t'}}]\n")
    out = run("-c", path, "--dump-config")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    assert "drain_timeout" in text and "max_header_bytes" in text
    assert "s3cr3t" not in text
    # the dump is itself a valid config
    dumped = os.path.join(workdir, "dumped.yaml")
    with open(dumped, "w") as f:
        f.write(text)
    assert run("-c", dumped, "--check").returncode == 0


def test_admin_endpoints(make_proxy):
    p = make_proxy()
    http_get(p.url + "/healthz")
    assert http_get(p.admin_url + "/healthz")[0] == 200
    assert http_get(p.admin_url + "/readyz")[0] == 200
    status, _, body = http_get(p.admin_url + "/config")
    assert status == 200 and b"upstreams" in body
    metrics = p.metrics()
    for family in ("consentry_requests_total", "consentry_request_duration_seconds_bucket",
                   "consentry_connections_active", "consentry_reloads_total"):
        assert family in metrics, family
    # The request is counted once its exchange is over, which can be just after the client has
    # read the response.
    assert wait_for(lambda: p.metric("consentry_requests_total", code="200") >= 1, 5)


def wrk(url, seconds, connections=20):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, timeout=seconds + 30)
    return out.stdout.decode()


def wrk_errors(report):
    # wrk prints "Non-2xx or 3xx responses: N" and "Socket errors: ..." only when there are any
    return [line for line in report.splitlines()
            if "Non-2xx" in line or "Socket errors" in line]


def test_reload_under_load_zero_failures(make_proxy):
    p = make_proxy()
    result = {}
    t = threading.Thread(target=lambda: result.update(report=wrk(p.url + "/healthz", 6)))
    t.start()
    time.sleep(1)
    for i in range(3):
        with open(p.config_path) as f:
            text = f.read()
        p.write_config(text.replace("drain_timeout: 5s", f"drain_timeout: {5 + i + 1}s"))
        p.send_signal(signal.SIGHUP)
        time.sleep(0.8)
    # a broken config is refused and the old one keeps serving
    p.write_config(text + "\nnot_a_key: 1\n")
    p.send_signal(signal.SIGHUP)
    t.join()
    assert "Requests/sec" in result["report"]
    assert wrk_errors(result["report"]) == [], result["report"]
    assert p.metric("consentry_reloads_total", result="ok") >= 3
    assert p.metric("consentry_reloads_total", result="failed") >= 1
    assert http_get(p.url + "/healthz")[0] == 200


def test_drain_on_sigterm_finishes_in_flight(make_proxy):
    p = make_proxy()
    results = []

    def slow():
        results.append(http_get(p.url + "/slow?ms=1500", timeout=10)[0])

    threads = [threading.Thread(target=slow) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    for t in threads:
        t.join()
    assert results == [200] * 5
    assert p.proc.wait(10) == 0


def test_stop_signal_right_after_listening_still_drains(binary, origin, workdir):
    """SIGTERM or SIGINT sent the moment the listener answers (a supervisor stopping a proxy it
    just started) is held until the handlers exist, then drains: exit 0, never death by signal."""
    for i in range(12):
        port, admin = free_port(), free_port()
        path = os.path.join(workdir, f"c{i}.yaml")
        with open(path, "w") as f:
            f.write(f"listeners: [{{address: 127.0.0.1:{port}}}]\n"
                    f"admin: {{address: 127.0.0.1:{admin}}}\n"
                    f"upstreams: [{{name: a, servers: [{origin.address}]}}]\n"
                    "access_log: {path: off}\n")
        p = subprocess.Popen([binary, "-c", path], cwd=workdir, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.001)
        p.send_signal(signal.SIGTERM if i % 2 == 0 else signal.SIGINT)
        _, err = p.communicate(timeout=30)
        assert p.returncode == 0, f"round {i}: exit {p.returncode}\n{err.decode()[-2000:]}"
        assert b'"exit"' in err
