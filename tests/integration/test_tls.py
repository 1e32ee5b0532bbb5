"""TLS termination through the real binary (SPEC §2, issue 6): certificates made at test time with
the openssl CLI; clients are curl, openssl s_client, wrk and Python's ssl module."""
import hashlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import BIN, free_port
from test_telemetry import CHROME, CONSENT, TELEMETRY
from tls_certs import CertAuthority, subject_cn



@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    ca = CertAuthority(str(tmp_path_factory.mktemp("tls-ca")))
    issued = {
        "a": ca.issue("a", "a.test", ["a.test", "*.a.test"]),
        "b": ca.issue("b", "b.test", ["b.test"], rsa=True),
        "cn": ca.issue("cn", "cn.test", []),
        "old": ca.issue("old", "old.test", ["old.test"], start="20200101000000Z",
                        end="20200201000000Z"),
        "a2": ca.issue("a2", "a-renewed.test", ["a.test", "*.a.test"]),
    }
    issued["ca"] = ca.cert
    return issued


def tls_config(pairs, min_version="1.2", extra="", header_timeout="10s"):
    """A config with one TLS listener serving `pairs` ([(cert, key)]), first one the default."""
    lines = "\n".join(f"          - {{cert: {c}, key: {k}}}" for c, k in pairs)
    return f"""
listeners:
  - address: 127.0.0.1:{{PORT}}
    tls:
      min_version: "{min_version}"
      certificates:
{lines}
admin: {{address: 127.0.0.1:{{ADMIN}}}}
workers: 2
upstreams:
  - name: site
    servers: [ORIGIN]
    timeouts: {{connect: 1s, response: 5s}}
limits: {{header_timeout: {header_timeout}, max_body_bytes: 64MiB}}
drain_timeout: 5s
access_log: {{path: off}}
{extra}
"""


@pytest.fixture
def tls_proxy(make_proxy, origin, workdir, certs):
    """tls_proxy(pairs, **kw) -> started Proxy; pairs are copied into the workdir so that tests
    can replace them in place."""

    def make(names=("a", "b", "cn"), **kw):
        pairs = []
        for n in names:
            c, k = certs[n]
            dc, dk = os.path.join(workdir, n + ".crt"), os.path.join(workdir, n + ".key")
            shutil.copy(c, dc)
            shutil.copy(k, dk)
            pairs.append((dc, dk))
        text = tls_config(pairs, **kw).replace("ORIGIN", origin.address)
        return make_proxy(config=text)

    return make


def s_client(port, *args, servername=None, data=b"", timeout=15):
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}"]
    cmd += ["-servername", servername] if servername else ["-noservername"]
    out = subprocess.run(cmd + list(args), input=data, capture_output=True, timeout=timeout)
    return out.stdout.decode(errors="replace") + out.stderr.decode(errors="replace")


def served_cn(port, servername):
    text = s_client(port, servername=servername)
    pem = re.search(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", text, re.S)
    assert pem, text
    return subject_cn(pem.group(0))


def curl(certs, port, path="/healthz", host="a.test", args=()):
    cmd = ["curl", "-sS", "--cacert", certs["ca"], "--resolve", f"{host}:{port}:127.0.0.1",
           "-o", "-", "-w", "\n%{http_code} %{http_version}", *args,
           f"https://{host}:{port}{path}"]
    out = subprocess.run(cmd, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    body, _, status = out.stdout.rpartition(b"\n")
    code, version = status.decode().split()
    return int(code), version, body


def https_get(certs, port, host="a.test", path="/healthz"):
    """One request on a fresh TLS connection (new handshake), verified against the test CA."""
    context = ssl.create_default_context(cafile=certs["ca"])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=host) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := s.recv(65536):
                data += chunk
            return int(data.split(b" ", 2)[1]), s.getpeercert()


def test_sni_picks_the_certificate_by_its_names(tls_proxy, certs):
    p = tls_proxy()
    assert served_cn(p.port, "a.test") == "a.test"
    assert served_cn(p.port, "www.a.test") == "a.test"  # wildcard, one label
    assert served_cn(p.port, "b.test") == "b.test"
    assert served_cn(p.port, "cn.test") == "cn.test"  # no SAN: the CN names it
    assert served_cn(p.port, "unknown.test") == "a.test"  # first certificate is the default
    assert served_cn(p.port, "x.y.a.test") == "a.test"  # default, not a wildcard match
    assert served_cn(p.port, None) == "a.test"
    # curl verifies the chain and the name: each host gets a certificate valid for it
    for host in ("a.test", "www.a.test", "b.test", "cn.test"):
        code, version, _ = curl(certs, p.port, host=host, args=["--http1.1"])
        assert (code, version) == (200, "1.1"), host
    assert p.metric("consentry_tls_handshakes_total", version="1.3") >= 4


def test_alpn_falls_back_to_http11(tls_proxy, certs):
    p = tls_proxy()
    assert "ALPN protocol: http/1.1" in s_client(p.port, "-alpn", "http/1.1", servername="a.test")
    # a client offering h2 first gets HTTP/2 (the listener has http2: true by default)
    assert "ALPN protocol: h2" in s_client(p.port, "-alpn", "h2,http/1.1", servername="a.test")
    assert "No ALPN negotiated" in s_client(p.port, "-alpn", "spdy/3", servername="a.test")
    assert curl(certs, p.port, args=["--http1.1"])[:2] == (200, "1.1")
    assert curl(certs, p.port, args=["--http2"])[:2] == (200, "2")
    # a client offering no ALPN at all (Python's default context) is served HTTP/1.1
    assert https_get(certs, p.port)[0] == 200


def test_tls12_and_tls13_handshakes(tls_proxy, certs):
    p = tls_proxy()
    out = s_client(p.port, "-tls1_2", servername="b.test")
    assert re.search(r"New, TLSv1\.2, Cipher is ECDHE-RSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)",
                     out), out
    out = s_client(p.port, "-tls1_3", servername="a.test")
    assert "New, TLSv1.3, Cipher is TLS_" in out, out
    # CBC and non-forward-secret suites are not offered on 1.2
    out = s_client(p.port, "-tls1_2", "-cipher", "AES128-SHA256:ECDHE-RSA-AES128-SHA",
                   servername="b.test")
    assert "Cipher is (NONE)" in out or "handshake failure" in out, out
    assert curl(certs, p.port, args=["--tlsv1.2", "--tls-max", "1.2"])[0] == 200
    assert p.metric("consentry_tls_handshakes_total", version="1.2") >= 2
    assert p.metric("consentry_tls_handshakes_total", version="1.3") >= 1
    assert p.metric("consentry_tls_handshake_failures_total", reason="no_shared_cipher") >= 1


def test_min_version_13_refuses_tls12(tls_proxy, certs):
    p = tls_proxy(min_version="1.3")
    out = s_client(p.port, "-tls1_2", servername="a.test")
    assert "no peer certificate available" in out and "alert protocol version" in out, out
    assert curl(certs, p.port, args=["--tlsv1.3"])[0] == 200
    assert p.metric("consentry_tls_handshake_failures_total", reason="version") >= 1


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_session_resumption_with_tickets(tls_proxy, workdir, version):
    p = tls_proxy()
    session = os.path.join(workdir, "session.pem")
    request = b"GET /healthz HTTP/1.0\r\nHost: a.test\r\n\r\n"
    first = s_client(p.port, version, "-ign_eof", "-sess_out", session, servername="a.test",
                     data=request)
    assert first.count("New, TLSv1.") >= 1, first
    # two workers share the ticket keys: every attempt resumes whichever worker accepts it. A
    # TLS 1.3 ticket is single-use for clients, so a resumed 1.3 connection must hand out the
    # ticket for the next one; a 1.2 ticket is reused as is.
    for attempt in range(4):
        following = os.path.join(workdir, f"session{attempt}.pem")
        chain = ["-sess_out", following] if version == "-tls1_3" else []
        out = s_client(p.port, version, "-ign_eof", "-sess_in", session, *chain,
                       servername="a.test", data=request)
        assert "Reused, TLSv1." in out, out
        assert "200 OK" in out
        if chain:
            session = following
    assert p.metric("consentry_tls_resumed_handshakes_total") >= 4


def test_large_bodies_both_ways(tls_proxy, certs, workdir):
    p = tls_proxy()
    upload = os.path.join(workdir, "upload.bin")
    payload = os.urandom(24 * 1024 * 1024)
    with open(upload, "wb") as f:
        f.write(payload)
    code, _, body = curl(certs, p.port, path="/upload",
                         args=["--data-binary", f"@{upload}", "-H",
                               "Content-Type: application/octet-stream"])
    assert code == 200
    assert body.decode().count(hashlib.sha256(payload).hexdigest()) == 1
    size = 48 * 1024 * 1024
    code, _, body = curl(certs, p.port, path=f"/bytes?n={size}")
    assert code == 200 and len(body) == size


def test_cert_reload_under_load_zero_failures(tls_proxy, certs, workdir):
    p = tls_proxy(names=("a", "b"))
    failures, fresh = [], [0]
    stop = threading.Event()

    def new_connections():  # a full handshake per request, across the reload
        while not stop.is_set():
            try:
                status, _ = https_get(certs, p.port)
                fresh[0] += 1
                if status != 200:
                    failures.append(status)
            except (OSError, ssl.SSLError) as e:
                failures.append(repr(e))

    report = {}

    def load():
        out = subprocess.run(["wrk", "-t1", "-c8", "-d4s", f"https://127.0.0.1:{p.port}/healthz"],
                             capture_output=True, timeout=40)
        report["text"] = out.stdout.decode()

    threads = [threading.Thread(target=new_connections), threading.Thread(target=load)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    assert served_cn(p.port, "a.test") == "a.test"
    # renewed certificate written over the old files in place, then SIGHUP (same YAML)
    shutil.copy(certs["a2"][0], os.path.join(workdir, "a.crt"))
    shutil.copy(certs["a2"][1], os.path.join(workdir, "a.key"))
    p.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    stop_after = time.monotonic() + 2
    while time.monotonic() < stop_after and served_cn(p.port, "a.test") != "a-renewed.test":
        time.sleep(0.1)
    threads[1].join()
    stop.set()
    threads[0].join()
    assert failures == []
    assert fresh[0] > 10
    assert "Requests/sec" in report["text"], report["text"]
    assert "Non-2xx" not in report["text"] and "Socket errors" not in report["text"], report["text"]
    assert served_cn(p.port, "a.test") == "a-renewed.test"
    assert served_cn(p.port, "b.test") == "b.test"
    assert p.metric("consentry_reloads_total", result="ok") >= 1


def test_bad_pair_is_refused_and_old_certificate_keeps_serving(tls_proxy, certs, workdir):
    p = tls_proxy(names=("a", "b"))
    crt = os.path.join(workdir, "a.crt")
    key = os.path.join(workdir, "a.key")
    original = open(crt, "rb").read()
    cases = [
        (lambda: shutil.copy(certs["b"][0], crt), "does not match"),  # key no longer matches
        (lambda: open(crt, "w").write("not a certificate\n"), "not a usable PEM"),
        (lambda: os.remove(crt), "cannot read"),
    ]
    for n, (damage, message) in enumerate(cases, start=1):
        damage()
        p.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15  # a loaded CI machine can be slow to reload
        while p.metric("consentry_reloads_total", result="failed") < n and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        assert p.metric("consentry_reloads_total", result="failed") == n
        errors = [line for line in p.stderr().splitlines() if "reload failed" in line]
        assert len(errors) == n and message in errors[-1], errors
        assert "a.crt" in errors[-1] or "a.key" in errors[-1], errors
        assert served_cn(p.port, "a.test") == "a.test"
        assert https_get(certs, p.port)[0] == 200
        with open(crt, "wb") as f:
            f.write(original)
    assert p.metric("consentry_reloads_total", result="ok") == 0
    assert os.path.exists(key)


def test_check_loads_every_pair(certs, workdir):
    good = tls_config([certs["a"], certs["old"]]).replace("ORIGIN", "127.0.0.1:9")
    bad = tls_config([certs["a"], (certs["b"][0], certs["a"][1])]).replace("ORIGIN", "127.0.0.1:9")
    for name, text in (("good", good), ("bad", bad)):
        with open(os.path.join(workdir, name + ".yaml"), "w") as f:
            f.write(text.replace("{PORT}", "1").replace("{ADMIN}", "2"))
    ok = subprocess.run([BIN, "-c", os.path.join(workdir, "good.yaml"), "--check"],
                        capture_output=True, timeout=30)
    assert ok.returncode == 0 and ok.stdout.decode().strip() == "ok", ok
    assert "old.test" in ok.stderr.decode() and "expired" in ok.stderr.decode()
    bad_run = subprocess.run([BIN, "-c", os.path.join(workdir, "bad.yaml"), "--check"],
                             capture_output=True, timeout=30)
    assert bad_run.returncode == 1
    out = bad_run.stdout.decode()
    assert "does not match" in out and certs["a"][1] in out and certs["b"][0] in out, out


def test_expired_certificate_is_served_with_a_warning_and_its_expiry(tls_proxy):
    p = tls_proxy(names=("a", "old"))
    assert served_cn(p.port, "old.test") == "old.test"
    assert "certificate expired" in p.stderr()
    assert p.metric("consentry_tls_certificate_expiry_timestamp_seconds", name="old.test") == \
        1580515200  # 2020-02-01T00:00:00Z
    assert p.metric("consentry_tls_certificate_expiry_timestamp_seconds", name="a.test") > \
        time.time()


def test_consented_pageview_over_https_is_recorded_with_secure_cookie(tls_proxy, certs):
    p = tls_proxy(extra=TELEMETRY)
    code, _, body = curl(certs, p.port, path="/echo",
                         args=["-H", "X-Forwarded-Proto: http"])
    assert code == 200
    assert '["X-Forwarded-Proto", "https"]' in body.decode(), body  # the client cannot spoof it
    assert "proto=https" in body.decode()
    out = subprocess.run(
        ["curl", "-sS", "-D", "-", "-o", "/dev/null", "--cacert", certs["ca"], "--resolve",
         f"a.test:{p.port}:127.0.0.1", "-H", f"Cookie: {CONSENT}", "-H", f"User-Agent: {CHROME}",
         "-H", "Accept: text/html", "-H", "Sec-Fetch-Dest: document",
         f"https://a.test:{p.port}/pricing"], capture_output=True, timeout=30)
    headers = out.stdout.decode()
    cookie = next(line for line in headers.splitlines() if line.lower().startswith("set-cookie"))
    assert "__csy_vid=" in cookie and "Secure" in cookie, headers
    assert p.stop() == 0
    events = p.events()
    assert len(events) == 1 and events[0]["type"] == "pageview"
    assert events[0]["page"]["path"] == "/pricing"


def test_plain_http_and_silent_clients_are_refused(tls_proxy):
    p = tls_proxy(header_timeout="1s")
    with socket.create_connection(("127.0.0.1", p.port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n")
        try:
            answer = s.recv(4096)
        except ConnectionResetError:
            answer = b""
        assert not answer.startswith(b"HTTP")
    silent = socket.create_connection(("127.0.0.1", p.port), timeout=5)
    started = time.monotonic()
    assert silent.recv(1) == b""  # closed by the handshake deadline (header_timeout)
    assert time.monotonic() - started < 4
    silent.close()
    deadline = time.monotonic() + 3
    while p.metric("consentry_tls_handshake_failures_total", reason="timeout") < 1 and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.metric("consentry_tls_handshake_failures_total", reason="http_request") >= 1
    assert p.metric("consentry_tls_handshake_failures_total", reason="timeout") >= 1


def test_drain_closes_handshakes_in_progress(tls_proxy):
    p = tls_proxy()
    waiting = [socket.create_connection(("127.0.0.1", p.port), timeout=5) for _ in range(3)]
    time.sleep(0.3)
    started = time.monotonic()
    assert p.stop() == 0
    assert time.monotonic() - started < 3  # not held up by clients that never say hello
    for s in waiting:
        s.close()


def test_http2_over_tls_with_nghttp_and_curl(tls_proxy, certs):
    p = tls_proxy()
    out = subprocess.run(["nghttp", "-nv", "-m", "5", f"https://127.0.0.1:{p.port}/echo"],
                         capture_output=True, timeout=30, text=True)
    assert out.returncode == 0, out.stderr
    assert "negotiated protocol: h2" in out.stdout, out.stdout
    assert out.stdout.count(":status: 200") == 5
    code, version, body = curl(certs, p.port, path="/echo", args=["--http2"])
    assert (code, version) == (200, "2")
    assert '["X-Forwarded-Proto", "https"]' in body.decode()
    assert p.metric("consentry_requests_total", protocol="http2") >= 6


def test_reload_cannot_take_tls_off_a_running_listener(make_proxy, origin, certs):
    plain = free_port()
    two = tls_config([certs["a"]]).replace("ORIGIN", origin.address).replace(
        "listeners:\n", f"listeners:\n  - address: 127.0.0.1:{plain}\n", 1)
    p = make_proxy(config=two)
    text = open(p.config_path).read()
    tls_block = text[text.index(f"  - address: 127.0.0.1:{p.port}"):text.index("admin:")]
    without_tls = text.replace(tls_block, "")
    cleartext = text.replace(tls_block, f"  - address: 127.0.0.1:{p.port}\n")
    for n, changed in enumerate((without_tls, cleartext), start=1):
        p.write_config(changed)
        p.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 15
        while p.metric("consentry_reloads_total", result="failed") < n and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        assert p.metric("consentry_reloads_total", result="failed") == n
        errors = [line for line in p.stderr().splitlines() if "reload failed" in line]
        assert len(errors) == n and "restart" in errors[-1], errors
        assert https_get(certs, p.port)[0] == 200


def test_pipelined_requests_in_separate_records_all_answered(tls_proxy, certs):
    # With read-ahead one read takes in several TLS records: requests held inside OpenSSL, which
    # the socket never signals again, must still be answered.
    p = tls_proxy()
    context = ssl.create_default_context(cafile=certs["ca"])
    with socket.create_connection(("127.0.0.1", p.port), timeout=10) as raw:
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)  # let the records coalesce
        with context.wrap_socket(raw, server_hostname="a.test") as s:
            for i in range(5):  # one record per request
                s.send(b"GET /echo?n=%d HTTP/1.1\r\nHost: a.test\r\n\r\n" % i)
            s.send(b"GET /echo?n=last HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n")
            received = b""
            while chunk := s.recv(65536):
                received += chunk
    assert received.count(b"HTTP/1.1 200 ") == 6, received[:400]
    assert b"n=last" in received


def proxy_cpu_seconds(p):
    with open(f"/proc/{p.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_client_key_update_mid_connection_is_answered_without_spinning(tls_proxy):
    # A TLS 1.3 KeyUpdate asking for ours puts OpenSSL back into its state machine after the
    # handshake: the only way a post-handshake SSL_read/SSL_write can want the other direction.
    # The connection must go on (our KeyUpdate, then the next response) and the worker must not
    # spin on a readiness that cannot help, which would show as CPU time while the client idles.
    p = tls_proxy()
    proc = subprocess.Popen(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{p.port}", "-servername", "a.test",
         "-tls1_3", "-crlf"],  # interactive: a line "K" sends KeyUpdate(update_requested)
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def send(text):
            proc.stdin.write(text)
            proc.stdin.flush()
            time.sleep(1.0)  # s_client takes a command only at the start of one read()

        send(b"GET /echo?n=1 HTTP/1.1\nHost: a.test\n\n")
        send(b"K\n")
        before = proxy_cpu_seconds(p)
        time.sleep(1.0)
        idle_cpu = proxy_cpu_seconds(p) - before
        send(b"GET /echo?n=2 HTTP/1.1\nHost: a.test\nConnection: close\n\n")
        out, _ = proc.communicate(timeout=15)
    finally:
        proc.kill()
    text = out.decode(errors="replace")
    assert "KEYUPDATE" in text, text[-2000:]
    assert text.count("HTTP/1.1 200 ") == 2, text[-2000:]
    assert "n=2" in text
    assert idle_cpu < 0.3, f"{idle_cpu:.2f} s of CPU while the client was idle"
