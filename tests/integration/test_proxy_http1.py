"""HTTP/1.1 proxying through the real binary with real clients (SPEC §8)."""
import hashlib
import json
import socket
import subprocess
import threading
import time

from conftest import http_get, raw_exchange, status_of


def curl(*args, timeout=60):
    return subprocess.run(["curl", "-sS", *args], capture_output=True, timeout=timeout)


def test_get_through_proxy(make_proxy):
    p = make_proxy()
    status, headers, body = http_get(p.url + "/")
    assert status == 200
    assert b"Consentry demo site" in body


def test_keepalive_reuses_one_connection(make_proxy):
    p = make_proxy()
    out = curl("-v", p.url + "/healthz", p.url + "/healthz", p.url + "/healthz")
    assert out.returncode == 0
    assert out.stdout == b"ok\nok\nok\n"
    assert out.stderr.count(b"Re-using existing connection") + out.stderr.count(b"Reusing") >= 2


def test_pipelined_requests_answered_in_order(make_proxy):
    p = make_proxy()
    reqs = b"".join(
        f"GET /echo?n={i} HTTP/1.1\r\nHost: example.test\r\n\r\n".encode() for i in range(10))
    reqs += b"GET /echo?n=last HTTP/1.1\r\nHost: example.test\r\nConnection: close\r\n\r\n"
    raw = raw_exchange(p.port, reqs, timeout=5)
    bodies = [json.loads(part[part.index(b"{"):]) for part in raw.split(b"HTTP/1.1 200")[1:]]
    assert [b["path"] for b in bodies] == [f"/echo?n={i}" for i in range(10)] + ["/echo?n=last"]


def test_forwarding_headers_added(make_proxy):
    p = make_proxy()
    status, _, body = http_get(p.url + "/echo", headers={"X-Forwarded-For": "6.6.6.6"})
    assert status == 200
    headers = {k.lower(): v for k, v in json.loads(body)["headers"]}
    # the peer (127.0.0.1) is not a trusted proxy: the client's claim is replaced, not appended
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] == f"127.0.0.1:{p.port}"
    assert "for=127.0.0.1" in headers["forwarded"]
    assert "proto=http" in headers["forwarded"]


def test_forwarded_for_appended_from_trusted_proxy(make_proxy):
    p = make_proxy("trusted_proxies: [127.0.0.1/32]\n")
    _, _, body = http_get(p.url + "/echo", headers={"X-Forwarded-For": "203.0.113.9"})
    headers = {k.lower(): v for k, v in json.loads(body)["headers"]}
    assert headers["x-forwarded-for"] == "203.0.113.9, 127.0.0.1"


def test_hop_by_hop_headers_removed(make_proxy):
    p = make_proxy()
    raw = raw_exchange(p.port, b"GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close, X-Secret\r\n"
                               b"X-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                               b"Proxy-Connection: keep-alive\r\n\r\n")
    assert status_of(raw) == 200
    seen = {k.lower() for k, _ in json.loads(raw[raw.index(b"{"):])["headers"]}
    assert not seen & {"x-secret", "keep-alive", "te", "proxy-connection"}


def test_equal_content_lengths_go_upstream_as_one(make_proxy):
    """RFC 9110 §8.6: a repeated or listed Content-Length whose values agree is accepted, and the
    origin gets it once as a single number (a "4, 4" list made Python's origin fail: 502)."""
    p = make_proxy()
    for lengths in (b"Content-Length: 4, 4\r\n", b"Content-Length: 4\r\nContent-Length: 4\r\n"):
        raw = raw_exchange(p.port, b"POST /echo HTTP/1.1\r\nHost: a\r\n" + lengths +
                           b"Connection: close\r\n\r\nabcd")
        assert status_of(raw) == 200, raw[:200]
        echoed = json.loads(raw[raw.index(b"{"):])
        sent = [v for k, v in echoed["headers"] if k.lower() == "content-length"]
        assert sent == ["4"] and echoed["body_length"] == 4


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def test_large_streamed_download(make_proxy):
    p = make_proxy()
    n = 120 * 1024 * 1024
    before = rss_kib(p.proc.pid)
    out = curl("-o", "/dev/null", "-w", "%{size_download} %{http_code}", f"{p.url}/bytes?n={n}",
               timeout=120)
    assert out.stdout.decode() == f"{n} 200"
    # streamed, never buffered whole: the peak RSS grows by far less than the body
    assert rss_kib(p.proc.pid) - before < 32 * 1024


def test_large_chunked_upload_streamed(make_proxy):
    p = make_proxy("limits: {max_body_bytes: 1GiB}\n")
    n = 110 * 1024 * 1024
    payload = b"x" * n
    before = rss_kib(p.proc.pid)
    out = subprocess.run(["curl", "-sS", "-T", "-", "-H", "Expect:", f"{p.url}/upload"],
                         input=payload, capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert rss_kib(p.proc.pid) - before < 32 * 1024
    got = json.loads(out.stdout)
    assert got == {"length": n, "sha256": hashlib.sha256(payload).hexdigest()}


def test_content_length_upload_with_100_continue(make_proxy):
    p = make_proxy()
    body = b"y" * 200_000
    out = subprocess.run(["curl", "-sS", "-v", "--data-binary", "@-", "-H",
                          "Expect: 100-continue", f"{p.url}/upload"],
                         input=body, capture_output=True, timeout=30)
    assert b"HTTP/1.1 100" in out.stderr
    assert json.loads(out.stdout)["length"] == len(body)


def test_head_and_204_framing(make_proxy):
    p = make_proxy()
    raw = raw_exchange(p.port, b"HEAD /bytes?n=5000&cl=1 HTTP/1.1\r\nHost: a\r\n\r\n"
                               b"GET /status/204 HTTP/1.1\r\nHost: a\r\n\r\n"
                               b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert raw.count(b"HTTP/1.1 ") == 3
    assert raw.endswith(b"ok\n")


def test_websocket_echo_tunnelled(make_proxy):
    p = make_proxy()
    s = socket.create_connection(("127.0.0.1", p.port), timeout=5)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    assert status_of(head) == 101
    assert b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in head
    for msg in (b"hello", b"x" * 1000):
        mask = b"\x01\x02\x03\x04"
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(msg))
        ln = bytes([0x80 | len(msg)]) if len(msg) < 126 else bytes([0x80 | 126]) + len(
            msg).to_bytes(2, "big")
        s.sendall(b"\x81" + ln + mask + masked)
        want = len(msg) + (2 if len(msg) < 126 else 4)
        got = b""
        while len(got) < want:
            got += s.recv(65536)
        assert got.endswith(msg)
    s.close()


def test_chunked_response_relayed(make_proxy):
    p = make_proxy()
    out = curl("-o", "/dev/null", "-w", "%{size_download}", f"{p.url}/bytes?n=100000")
    assert out.stdout == b"100000"


def test_upstream_down_gives_502_quickly(make_proxy, origin):
    p = make_proxy(config=f"""
listeners: [{{address: 127.0.0.1:{{PORT}}}}]
admin: {{address: 127.0.0.1:{{ADMIN}}}}
upstreams: [{{name: dead, servers: [127.0.0.1:1], timeouts: {{connect: 1s}}}}]
access_log: {{path: off}}
""")
    t = time.monotonic()
    status, _, _ = http_get(p.url + "/")
    assert status == 502
    assert time.monotonic() - t < 2


def test_upstream_response_timeout_gives_504(make_proxy):
    p = make_proxy()
    t = time.monotonic()
    status, _, _ = http_get(p.url + "/slow?ms=5000")
    assert status == 504
    assert time.monotonic() - t < 4.5


def test_header_timeout_gives_408(make_proxy):
    p = make_proxy("limits: {header_timeout: 1s}\n")
    raw = raw_exchange(p.port, b"GET / HTTP/1.1\r\nHost: a\r\n", timeout=4)
    assert status_of(raw) == 408


def test_limits_give_431_414_413(make_proxy):
    p = make_proxy("limits: {max_header_bytes: 4KiB, max_body_bytes: 1KiB}\n")
    big = b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n"
    assert status_of(raw_exchange(p.port, big)) == 431
    long_uri = b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: a\r\n\r\n"
    assert status_of(raw_exchange(p.port, long_uri)) in (414, 431)
    body = b"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + b"z" * 5000
    assert status_of(raw_exchange(p.port, body)) == 413


class DeafOrigin:
    """Accepts connections and never reads from them nor answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]


def test_upload_to_an_origin_that_stops_reading_gets_504_and_a_close(make_proxy):
    deaf = DeafOrigin()
    try:
        p = make_proxy("limits: {body_timeout: 1s, max_body_bytes: 64MiB}\n",
                       upstream_origin=deaf)
        # More than the sockets and the proxy's 256 KiB queue hold: part of it stays queued when
        # the body timeout gives up on the origin.
        body = b"x" * (16 * 1024 * 1024)
        with socket.create_connection(("127.0.0.1", p.port), timeout=10) as s:
            s.sendall(b"POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n" % len(body))

            def send_body():
                try:
                    s.sendall(body)
                except OSError:
                    pass  # the proxy closed while the client was still sending

            sender = threading.Thread(target=send_body, daemon=True)
            sender.start()
            answer, closed = b"", False
            try:
                while not closed:
                    b = s.recv(65536)
                    answer += b
                    closed = not b
            except ConnectionResetError:
                closed = True  # closed with the client's unread body in its buffer: a reset
            except socket.timeout:
                pass
            assert status_of(answer) == 504, answer[:200]
            assert closed, "the 504 said Connection: close but the connection stayed open"
            try:
                s.shutdown(socket.SHUT_RDWR)  # ends a sendall still blocked in the sender
            except OSError:
                pass  # already reset
            sender.join(10)
    finally:
        deaf.sock.close()
