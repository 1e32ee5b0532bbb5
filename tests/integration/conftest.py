"""Fixtures for the integration tests: the real consentry binary on loopback in front of a real
origin (demo/origin.py, or nginx for load), driven by real clients (curl, wrk, raw sockets).

Every process started here is bounded in time and stopped at teardown."""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

SOURCE_DIR = os.environ.get("CONSENTRY_SOURCE_DIR",
                            os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
BIN = os.path.abspath(os.environ.get("CONSENTRY_BIN",
                                   os.path.join(SOURCE_DIR, "build", "release", "consentry")))

# ctest sets CONSENTRY_SANITIZED=1 for the ASan+UBSan build: that binary is several times slower,
# so waits that bound how long the proxy may take are multiplied by SLOWDOWN (what is checked
# stays the same).
SANITIZED = os.environ.get("CONSENTRY_SANITIZED") == "1"
SLOWDOWN = 3 if SANITIZED else 1

# Every sanitized process started by a test (the proxy, its CLI, the kafka mock cluster) writes
# its ASan/LSan reports into this folder instead of a stderr nobody reads (UBSan's still go to
# stderr: make_proxy scans the proxy's); the autouse fixture `no_sanitizer_reports` fails the test
# during which a report appeared. halt_on_error
# makes the first error end the process, and leak detection runs at every exit. The quarantine of
# freed memory (kept unallocatable to catch use-after-free) is 8 MiB instead of 256: with 256 the
# tests that stream 100+ MiB measure ASan's quarantine, not the proxy's memory.
SANITIZER_LOG_DIR = tempfile.mkdtemp(prefix="consentry-sanitizer-")
atexit.register(shutil.rmtree, SANITIZER_LOG_DIR, True)
for _var, _opts in (("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:quarantine_size_mb=8"),
                    ("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")):
    os.environ[_var] = ":".join(filter(None, [os.environ.get(_var), _opts,
                                              f"log_path={SANITIZER_LOG_DIR}/report"]))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=10.0 * SLOWDOWN, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def http_get(url, headers=None, timeout=10):
    """Returns (status, headers, body) without raising on 4xx/5xx."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def curl_fetch(url, headers=None, data=None, http2=True, timeout=10):
    """Like http_get (and a POST with `data`), through curl; with http2 over h2c prior
    knowledge. Returns (status, headers as an email.message.Message, body)."""
    import email.message
    with tempfile.TemporaryDirectory() as d:
        head_path, body_path = os.path.join(d, "head"), os.path.join(d, "body")
        cmd = ["curl", "-sS", "--max-time", str(timeout), "-D", head_path, "-o", body_path]
        cmd += ["--http2-prior-knowledge"] if http2 else ["--http1.1"]
        for name, value in (headers or {}).items():
            cmd += ["-H", f"{name}: {value}"]
        if data is not None:
            cmd += ["--data-binary", "@-"]
        out = subprocess.run(cmd + [url], input=data, capture_output=True, timeout=timeout + 5)
        assert out.returncode == 0, out.stderr.decode()
        with open(head_path, "rb") as f:
            blocks = f.read().decode("latin-1").strip().split("\r\n\r\n")
        with open(body_path, "rb") as f:
            body = f.read()
    lines = blocks[-1].split("\r\n")  # the last block: interim responses come first
    message = email.message.Message()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        message[name.strip()] = value.strip()
    return int(lines[0].split()[1]), message, body


def raw_exchange(port, data, timeout=3.0, read_until_close=True):
    """Sends raw bytes and returns everything the peer answers until it closes or goes quiet."""
    return raw_exchange_closed(port, data, timeout, read_until_close)[0]


def raw_exchange_closed(port, data, timeout=3.0, read_until_close=True):
    """raw_exchange, and whether the peer closed the connection (rather than going quiet)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        closed = False
        s.settimeout(timeout)
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    closed = True
                    break
                chunks.append(b)
                if not read_until_close and b"\r\n\r\n" in b"".join(chunks):
                    break
        except socket.timeout:
            pass
        return b"".join(chunks), closed


def status_of(raw):
    line = raw.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


class Origin:
    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(SOURCE_DIR, "demo", "origin.py"), "--listen", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def requests_seen(self):
        return int(http_get(f"http://{self.address}/__origin/requests")[2])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Proxy:
    """One consentry process with its own working directory and config."""

    def __init__(self, config_text, workdir):
        self.workdir = workdir
        self.port = None
        self.admin_port = free_port()
        self.config_path = os.path.join(workdir, "consentry.yaml")
        self.write_config(config_text)
        self.stderr_path = os.path.join(workdir, "stderr.log")
        self.stdout_path = os.path.join(workdir, "stdout.log")
        self.proc = None

    def write_config(self, text):
        with open(self.config_path, "w") as f:
            f.write(text)

    def start(self, wait_port, extra_args=()):
        self.port = wait_port
        self.proc = subprocess.Popen([BIN, "-c", self.config_path, *extra_args], cwd=self.workdir,
                                     stdout=open(self.stdout_path, "wb"),
                                     stderr=open(self.stderr_path, "wb"))
        try:
            wait_for_port(wait_port)
            wait_for_port(self.admin_port)
        except TimeoutError:
            self.proc.kill()
            raise RuntimeError("consentry did not start:\n" + self.stderr())
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin_url(self):
        return f"http://127.0.0.1:{self.admin_port}"

    def stderr(self):
        with open(self.stderr_path, "r", errors="replace") as f:
            return f.read()

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def metrics(self):
        return http_get(self.admin_url + "/metrics")[2].decode()

    def metric(self, family, **labels):
        """Sum of the samples of `family` whose labels include `labels`."""
        total = 0.0
        for line in self.metrics().splitlines():
            if not line.startswith(family) or line.startswith("#"):
                continue
            name, _, value = line.rpartition(" ")
            base = name.split("{", 1)[0]
            if base != family:
                continue
            if all(f'{k}="{v}"' in name for k, v in labels.items()):
                total += float(value)
        return total

    def events(self, path="events/events.jsonl"):
        full = os.path.join(self.workdir, path)
        if not os.path.exists(full):
            return []
        with open(full) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


# The consent cookie of consent_config(): grants analytics.
CONSENT = "site_consent=analytics%3D1%7Cv%3D1"


def consent_config(origin, body, workers=2, telemetry="{record: all, visitor_id: none}"):
    """A config for the event tests: one upstream (`origin`), a kv consent cookie (CONSENT grants
    analytics), the given `telemetry` section and `body` (sinks, geo, regions) appended. make_proxy
    fills in {PORT} and {ADMIN}."""
    return f"""
listeners: [{{address: 127.0.0.1:{{PORT}}}}]
admin: {{address: 127.0.0.1:{{ADMIN}}}}
workers: {workers}
trusted_proxies: [127.0.0.1/32]
upstreams: [{{name: site, servers: [{origin.address}]}}]
access_log: {{path: "off"}}
drain_timeout: 5s
consent:
  sources: [{{type: cookie, name: site_consent, format: kv, map: {{analytics: analytics}}}}]
telemetry: {telemetry}
{body}"""


def wait_for(predicate, timeout):
    """Polls `predicate` until it holds or `timeout` seconds have passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.1)
    return predicate()


# What a sanitizer report that went to stderr starts with (UBSan's ignores log_path here).
SANITIZER_MARKS = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer")


def take_sanitizer_reports():
    """The reports written since the last call (then removed, so each is reported once)."""
    reports = []
    for name in sorted(os.listdir(SANITIZER_LOG_DIR)):
        path = os.path.join(SANITIZER_LOG_DIR, name)
        with open(path, errors="replace") as f:
            reports.append(f"--- {name}\n{f.read()}")
        os.remove(path)
    return reports


@pytest.fixture(autouse=True)
def no_sanitizer_reports():
    """Autouse fixtures are torn down last, after make_proxy has stopped its proxies (leaks are
    reported at exit)."""
    take_sanitizer_reports()  # a report from an earlier test's leftovers is not this test's
    yield
    reports = take_sanitizer_reports()
    if reports:
        pytest.fail("sanitizer report(s) from a process of this test:\n" + "\n".join(reports),
                    pytrace=False)


@pytest.fixture(scope="session")
def binary():
    if not os.path.exists(BIN):
        pytest.fail(f"consentry binary not found at {BIN} (build it first)")
    return BIN


@pytest.fixture(scope="session")
def origin():
    o = Origin()
    yield o
    o.stop()


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="consentry-it-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def base_config(origin, port, admin_port, extra=""):
    return f"""
listeners:
  - address: 127.0.0.1:{port}
admin: {{address: 127.0.0.1:{admin_port}}}
workers: 2
upstreams:
  - name: site
    servers: [{origin.address}]
    timeouts: {{connect: 1s, response: 3s}}
drain_timeout: 5s
access_log: {{path: off}}
{extra}
"""


@pytest.fixture
def make_proxy(binary, origin, workdir):
    """make_proxy(extra_yaml="", config=None) -> started Proxy; stopped at teardown."""
    started = []

    def make(extra="", config=None, upstream_origin=None):
        port = free_port()
        p = Proxy("", workdir)
        text = config if config is not None else base_config(upstream_origin or origin, port,
                                                             p.admin_port, extra)
        text = text.replace("{PORT}", str(port)).replace("{ADMIN}", str(p.admin_port))
        p.write_config(text)
        p.start(port)
        started.append(p)
        return p

    yield make
    # A proxy still running is stopped the way an operator does (SIGTERM: drain, then exit 0). A
    # crash, a sanitizer's exit code or a drain that never ends fails the test.
    problems = []
    for p in started:
        try:
            code = p.stop(timeout=20 * SLOWDOWN)
        except Exception as e:  # noqa: BLE001 - teardown must go on
            problems.append(f"stopping the proxy failed: {e!r}")
            continue
        log = p.stderr()
        if code not in (0, None) or any(m in log for m in SANITIZER_MARKS):
            problems.append(f"the proxy exited with {code}; stderr:\n{log[-4000:]}")
    problems += take_sanitizer_reports()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def geo_db(workdir):
    """A City database generated with MaxMind's writer: DE (EU), US-CA (NA), CN (AS)."""
    spec = os.path.join(workdir, "geo.tsv")
    with open(spec, "w") as f:
        f.write("81.2.69.0/24\tDE\tBE\tEU\n"        # Berlin
                "2a02:8100::/32\tDE\t-\tEU\n"
                "12.0.0.0/16\tUS\tCA\tNA\n"
                "175.16.199.0/24\tCN\t-\tAS\n")
    out = os.path.join(workdir, "city.mmdb")
    subprocess.run(["perl", os.path.join(SOURCE_DIR, "tests", "helpers", "make_test_mmdb.pl"),
                    out, spec], check=True, timeout=60)
    return out
