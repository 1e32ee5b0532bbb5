"""HTTP/2 frontend through the real binary: h2c with prior knowledge (curl, nghttp, h2load) and
scripted frames (python3-h2) for what must be refused; h2 over TLS is in test_tls.py."""
import hashlib
import os
import signal
import socket
import subprocess
import threading
import time

import h2.config
import h2.errors
import h2.connection
import h2.events
import pytest

from conftest import raw_exchange, status_of


def curl_h2c(url, *args, timeout=60):
    out = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-o", "-", "-w",
                          "\n%{http_code} %{http_version}", *args, url],
                         capture_output=True, timeout=timeout)
    assert out.returncode == 0, out.stderr.decode()
    body, _, status = out.stdout.rpartition(b"\n")
    code, version = status.decode().split()
    return int(code), version, body


class H2Client:
    """A scripted HTTP/2 client that sends what it is told, unchecked."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        config = h2.config.H2Configuration(client_side=True, validate_outbound_headers=False,
                                           normalize_outbound_headers=False,
                                           validate_inbound_headers=False)
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.initiate_connection()
        self.flush()
        self.events = []

    def flush(self):
        self.sock.sendall(self.conn.data_to_send())

    def request(self, headers, body=None, end=True):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, headers, end_stream=end and body is None)
        if body is not None:
            self.conn.send_data(sid, body, end_stream=end)
        self.flush()
        return sid

    def pump(self, until, timeout=5.0):
        """Reads events until `until(events)` holds, the peer closes, or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while not until(self.events) and time.monotonic() < deadline:
            self.sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                break
            if not data:
                self.events.append("closed")
                break
            for e in self.conn.receive_data(data):
                self.events.append(e)
                if isinstance(e, h2.events.DataReceived):
                    self.conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
            self.flush()
        return self.events

    def close(self):
        self.sock.close()


def base(path="/echo", method="GET", extra=()):
    return [(":method", method), (":scheme", "http"), (":authority", "example.test"),
            (":path", path), *extra]


def stream_events(events, sid):
    return [e for e in events if getattr(e, "stream_id", None) == sid]


def test_h2c_prior_knowledge_forwards_as_http11(make_proxy):
    p = make_proxy()
    code, version, body = curl_h2c(p.url + "/echo", "-H", "Cookie: a=1", "-H", "Cookie: b=2")
    assert (code, version) == (200, "2")
    import json
    seen = json.loads(body)
    assert seen["version"] == "HTTP/1.1"
    headers = {k.lower(): v for k, v in seen["headers"]}
    assert headers["host"] == "127.0.0.1:%d" % p.port  # :authority became Host
    assert headers["cookie"] == "a=1; b=2"  # crumbs joined for the HTTP/1.1 upstream
    assert headers["x-forwarded-proto"] == "http"
    assert p.metric("consentry_requests_total", protocol="http2") >= 1
    # plain HTTP/1.1 on the same listener still works
    assert subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_version}",
                           p.url + "/healthz"], capture_output=True, timeout=10).stdout == b"1.1"


def test_preface_is_an_error_without_http2(make_proxy, origin):
    p = make_proxy(config=f"""
listeners: [{{address: 127.0.0.1:{{PORT}}, http2: false}}]
admin: {{address: 127.0.0.1:{{ADMIN}}}}
upstreams: [{{name: site, servers: [{origin.address}]}}]
access_log: {{path: off}}
""")
    answer = raw_exchange(p.port, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
    assert status_of(answer) in (400, 505)


def test_concurrent_streams_on_one_connection(make_proxy):
    p = make_proxy()
    start = time.monotonic()
    out = subprocess.run(["h2load", "-n", "10", "-c", "1", "-m", "10",
                          p.url + "/slow?ms=700"], capture_output=True, timeout=60, text=True)
    elapsed = time.monotonic() - start
    assert "10 succeeded" in out.stdout, out.stdout
    assert elapsed < 3.5  # one after the other would take 7 s
    out = subprocess.run(["nghttp", "-n", "-s", "-m", "50", p.url + "/bytes?n=20000"],
                         capture_output=True, timeout=60, text=True)
    assert out.returncode == 0, out.stderr


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def test_large_bodies_both_ways_with_bounded_memory(make_proxy, workdir):
    p = make_proxy("limits: {max_body_bytes: 128MiB}")
    curl_h2c(p.url + "/healthz")
    before = rss_kib(p.proc.pid)
    n = 60 * 1024 * 1024
    code, _, body = curl_h2c(p.url + f"/bytes?n={n}&cl=1")
    assert code == 200 and len(body) == n
    code, _, body = curl_h2c(p.url + f"/bytes?n={n}")  # chunked from the origin
    assert code == 200 and len(body) == n
    path = os.path.join(workdir, "upload.bin")
    with open(path, "wb") as f:
        for i in range(60):
            f.write(hashlib.sha256(str(i).encode()).digest() * 32768)  # 1 MiB each
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    code, _, body = curl_h2c(p.url + "/upload", "--data-binary", "@" + path)
    assert code == 200 and digest in body.decode()
    # chunked upstream (no content-length): curl streams from stdin
    with open(path, "rb") as f:
        out = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-T", "-", "-X", "POST",
                              p.url + "/upload"], stdin=f, capture_output=True, timeout=60)
    assert digest in out.stdout.decode(), out.stderr
    assert rss_kib(p.proc.pid) - before < 48 * 1024  # 4 x 60 MiB went through


FORBIDDEN = [
    ("cr-lf in a value", base(extra=[("x-evil", "a\r\nx-injected: 1")])),
    ("nul in a value", base(extra=[("x-evil", "a\0b")])),
    ("upper-case name", base(extra=[("X-Upper", "1")])),
    ("connection header", base(extra=[("connection", "keep-alive")])),
    ("transfer-encoding", base(extra=[("transfer-encoding", "chunked")])),
    ("te other than trailers", base(extra=[("te", "gzip")])),
    ("upgrade header", base(extra=[("upgrade", "websocket")])),
    ("missing :path", [h for h in base() if h[0] != ":path"]),
    ("duplicate :path", base(extra=[(":path", "/other")])),
    ("pseudo-header after a field", [(":method", "GET"), (":scheme", "http"),
                                     ("x-a", "1"), (":path", "/echo")]),
    ("space in a name", base(extra=[("x evil", "1")])),
]


@pytest.mark.parametrize("name,headers", FORBIDDEN, ids=[f[0] for f in FORBIDDEN])
def test_forbidden_headers_reset_the_stream_and_never_reach_the_origin(make_proxy, origin, name,
                                                                        headers):
    p = make_proxy()
    seen = origin.requests_seen()
    bad = p.metric("consentry_bad_requests_total")
    c = H2Client(p.port)
    sid = c.request(headers)
    events = c.pump(lambda ev: any(isinstance(e, (h2.events.StreamReset,
                                                  h2.events.ConnectionTerminated))
                                   for e in ev))
    resets = [e for e in events if isinstance(e, h2.events.StreamReset) and e.stream_id == sid]
    goaway = [e for e in events if isinstance(e, h2.events.ConnectionTerminated)]
    assert resets or goaway, events
    code = resets[0].error_code if resets else goaway[0].error_code
    assert code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    assert not any(isinstance(e, h2.events.ResponseReceived) for e in stream_events(events, sid))
    # the connection (when still open) serves the next, valid request
    if not goaway:
        sid2 = c.request(base("/healthz"))
        events = c.pump(lambda ev: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == sid2
                                       for e in ev))
        assert any(isinstance(e, h2.events.ResponseReceived) and e.stream_id == sid2
                   for e in events)
    c.close()
    # requests_seen() itself is one request to the origin
    assert origin.requests_seen() == seen + 1 + (0 if goaway else 1)
    assert p.metric("consentry_bad_requests_total") > bad


def test_content_length_mismatch_is_refused(make_proxy, origin):
    p = make_proxy()
    seen = origin.requests_seen()
    c = H2Client(p.port)
    sid = c.request(base("/upload", "POST", [("content-length", "10")]), body=b"12345")
    events = c.pump(lambda ev: any(isinstance(e, h2.events.StreamReset) for e in ev))
    resets = [e for e in events if isinstance(e, h2.events.StreamReset) and e.stream_id == sid]
    assert resets and resets[0].error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
    c.close()
    time.sleep(0.3)
    # the upstream got at most a head it can never complete; no request finished there
    assert origin.requests_seen() == seen + 1


def test_header_list_over_the_limit_gets_431(make_proxy):
    p = make_proxy("limits: {max_header_bytes: 4KiB}")
    c = H2Client(p.port)
    sid = c.request(base(extra=[("x-big", "a" * 3000), ("x-big2", "b" * 3000)]))
    events = c.pump(lambda ev: any(isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset))
                                   for e in ev))
    responses = [e for e in events if isinstance(e, h2.events.ResponseReceived)
                 and e.stream_id == sid]
    resets = [e for e in events if isinstance(e, h2.events.StreamReset)]
    assert (responses and dict(responses[0].headers)[b":status"] == b"431") or resets, events
    c.close()


def test_goaway_on_sigterm_lets_streams_in_flight_finish(make_proxy):
    p = make_proxy()
    urls = [p.url + f"/slow?ms=1500&i={i}" for i in range(3)]
    client = subprocess.Popen(["nghttp", "-nv", *urls], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    p.proc.send_signal(signal.SIGTERM)
    out, _ = client.communicate(timeout=20)
    assert client.returncode == 0, out
    assert "recv GOAWAY frame" in out and "error_code=NO_ERROR" in out, out
    assert out.count(":status: 200") == 3, out
    assert out.count("END_STREAM") >= 3
    assert p.proc.wait(10) == 0


def test_h2load_through_the_proxy(make_proxy):
    p = make_proxy()
    out = subprocess.run(["h2load", "-n", "2000", "-c", "4", "-m", "10", p.url + "/healthz"],
                         capture_output=True, timeout=60, text=True)
    assert "2000 succeeded, 0 failed, 0 errored" in out.stdout, out.stdout
    assert p.metric("consentry_requests_total", code="200", protocol="http2") >= 2000


def test_idle_connection_gets_goaway_then_closes(make_proxy):
    p = make_proxy("limits: {idle_timeout: 1s}")
    c = H2Client(p.port)
    sid = c.request(base("/healthz"))
    c.pump(lambda ev: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == sid
                          for e in ev))
    start = time.monotonic()
    events = c.pump(lambda ev: "closed" in ev, timeout=5)
    assert any(isinstance(e, h2.events.ConnectionTerminated) and e.error_code == 0
               for e in events), events
    assert "closed" in events
    assert 0.5 < time.monotonic() - start < 4
    c.close()


def test_silent_client_after_the_preface_is_closed(make_proxy):
    p = make_proxy("limits: {header_timeout: 1s}")
    with socket.create_connection(("127.0.0.1", p.port), timeout=5) as s:
        s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")  # the preface, then no SETTINGS
        start = time.monotonic()
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        assert time.monotonic() - start < 4
    assert data[3:4] == b"\x04"  # our SETTINGS went out first


# ---- malformed frames, sent as raw bytes (no client library would produce them) ----

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
GOAWAY, RST_STREAM = 0x7, 0x3


def frame(kind, flags, stream, payload=b""):
    return (len(payload).to_bytes(3, "big") + bytes([kind, flags]) +
            stream.to_bytes(4, "big") + payload)


def read_frames(sock, until, timeout=5.0):
    """Frames (type, flags, stream, payload) until one of type `until` arrives or the peer closes."""
    deadline = time.monotonic() + timeout
    data, frames = b"", []
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        while len(data) >= 9 and len(data) >= 9 + int.from_bytes(data[:3], "big"):
            n = int.from_bytes(data[:3], "big")
            frames.append((data[3], data[4], int.from_bytes(data[5:9], "big") & 0x7FFFFFFF,
                           data[9:9 + n]))
            data = data[9 + n:]
            if frames[-1][0] == until:
                return frames
    return frames


HEADERS_GET = bytes([0x82, 0x86, 0x84]) + b"\x41\x0cexample.test"  # :method GET, :scheme http,
#                                                                    :path /, :authority (literal)
E = h2.errors.ErrorCodes
MALFORMED_FRAMES = [
    ("DATA on stream 0", frame(0x0, 0x1, 0, b"x"), E.PROTOCOL_ERROR),
    ("SETTINGS length not a multiple of 6", frame(0x4, 0x0, 0, b"\x00\x03\x00\x00\x00"),
     E.FRAME_SIZE_ERROR),
    ("SETTINGS on a stream", frame(0x4, 0x0, 1, b""), E.PROTOCOL_ERROR),
    ("PING of 7 bytes", frame(0x6, 0x0, 0, b"1234567"), E.FRAME_SIZE_ERROR),
    ("WINDOW_UPDATE of zero on the connection", frame(0x8, 0x0, 0, b"\x00\x00\x00\x00"),
     E.PROTOCOL_ERROR),
    ("HEADERS on an even (server) stream id", frame(0x1, 0x5, 2, HEADERS_GET), E.PROTOCOL_ERROR),
    ("CONTINUATION without HEADERS", frame(0x9, 0x4, 1, HEADERS_GET), E.PROTOCOL_ERROR),
    ("undecodable HPACK block", frame(0x1, 0x5, 1, b"\xff\xff\xff\xff\xff\xff\xff\xff"),
     E.COMPRESSION_ERROR),
    ("frame above SETTINGS_MAX_FRAME_SIZE", frame(0x0, 0x0, 1, b"x" * 16385),
     E.FRAME_SIZE_ERROR),
    ("window overflow past 2^31-1", frame(0x8, 0x0, 0, (0x7FFFFFFF).to_bytes(4, "big")),
     E.FLOW_CONTROL_ERROR),
]


@pytest.mark.parametrize("name,payload,code", MALFORMED_FRAMES,
                         ids=[m[0] for m in MALFORMED_FRAMES])
def test_malformed_frames_get_goaway_with_the_right_code(make_proxy, origin, name, payload, code):
    p = make_proxy()
    seen = origin.requests_seen()
    with socket.create_connection(("127.0.0.1", p.port), timeout=5) as s:
        s.sendall(PREFACE + frame(0x4, 0x0, 0) + payload)
        frames = read_frames(s, GOAWAY)
        goaways = [f for f in frames if f[0] == GOAWAY]
        assert goaways, (name, frames)
        assert int.from_bytes(goaways[0][3][4:8], "big") == code, (name, goaways)
    assert origin.requests_seen() == seen + 1  # only requests_seen() itself


def test_rst_stream_mid_upload_leaves_the_connection_usable(make_proxy):
    p = make_proxy()
    c = H2Client(p.port)
    sid = c.request(base("/upload", "POST"), body=b"x" * 1000, end=False)
    c.conn.reset_stream(sid, error_code=h2.errors.ErrorCodes.CANCEL)
    c.flush()
    sid2 = c.request(base("/healthz"))
    events = c.pump(lambda ev: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == sid2
                                   for e in ev))
    assert any(isinstance(e, h2.events.ResponseReceived) and e.stream_id == sid2
               for e in events), events
    c.close()


def test_streams_one_after_another_carry_nothing_over(make_proxy):
    # A closed stream's object serves the next request of the connection: nothing of the previous
    # request (fields, cookie, body framing, a reset) may reach the next one's upstream request.
    import json
    p = make_proxy()
    c = H2Client(p.port)

    def answer(sid):
        events = c.pump(lambda ev: any(isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset))
                                       and e.stream_id == sid for e in ev))
        body = b"".join(e.data for e in stream_events(events, sid)
                        if isinstance(e, h2.events.DataReceived))
        return stream_events(events, sid), body

    first = c.request(base("/echo", "POST", [("content-length", "3"), ("cookie", "a=1"),
                                             ("x-first", "1")]), body=b"abc")
    _, body = answer(first)
    seen = json.loads(body)
    assert seen["method"] == "POST" and seen["body_length"] == 3
    refused = c.request(base("/echo", extra=[("connection", "close")]))  # reset, never forwarded
    events, _ = answer(refused)
    assert any(isinstance(e, h2.events.StreamReset) for e in events), events
    for _ in range(3):
        sid = c.request(base("/echo", extra=[("x-second", "2")]))
        _, body = answer(sid)
        seen = json.loads(body)
        headers = {k.lower(): v for k, v in seen["headers"]}
        assert seen["method"] == "GET" and seen["body_length"] == 0
        assert headers["x-second"] == "2"
        assert not {"cookie", "x-first", "content-length", "transfer-encoding"} & set(headers)
    c.close()


class ScriptedOrigin:
    """Answers every request (keep-alive) with the same bytes."""

    def __init__(self, response):
        self.response = response
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.address = "127.0.0.1:%d" % self.sock.getsockname()[1]
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(conn,), daemon=True).start()

    def answer(self, conn):
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                data = data.split(b"\r\n\r\n", 1)[1]
                conn.sendall(self.response)


def test_upstream_trailers_become_trailing_headers(make_proxy):
    origin = ScriptedOrigin(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                            b"Trailer: X-Checksum\r\n\r\n5\r\nhello\r\n0\r\n"
                            b"X-Checksum: abc123\r\nContent-Length: 5\r\nGrpc-Status: 0\r\n\r\n")
    p = make_proxy(upstream_origin=origin)
    c = H2Client(p.port)
    for _ in range(2):  # the second on a reused stream object and pooled upstream connection
        sid = c.request(base("/anything", extra=[("te", "trailers")]))
        events = c.pump(lambda ev: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == sid
                                       for e in ev))
        mine = stream_events(events, sid)
        body = b"".join(e.data for e in mine if isinstance(e, h2.events.DataReceived))
        trailers = [e for e in mine if isinstance(e, h2.events.TrailersReceived)]
        assert body == b"hello"
        assert len(trailers) == 1, mine
        fields = {bytes(k): bytes(v) for k, v in trailers[0].headers}
        assert fields == {b"x-checksum": b"abc123", b"grpc-status": b"0"}  # no content-length
    c.close()
    origin.sock.close()


def test_early_hints_are_relayed_before_the_response(make_proxy):
    origin = ScriptedOrigin(b"HTTP/1.1 103 Early Hints\r\nLink: </app.css>; rel=preload\r\n\r\n"
                            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    p = make_proxy(upstream_origin=origin)
    c = H2Client(p.port)
    sid = c.request(base("/page"))
    events = c.pump(lambda ev: any(isinstance(e, h2.events.StreamEnded) and e.stream_id == sid
                                   for e in ev))
    mine = [e for e in stream_events(events, sid)
            if isinstance(e, (h2.events.InformationalResponseReceived,
                              h2.events.ResponseReceived))]
    assert [type(e) for e in mine] == [h2.events.InformationalResponseReceived,
                                       h2.events.ResponseReceived], mine
    hints = {bytes(k): bytes(v) for k, v in mine[0].headers}
    assert hints[b":status"] == b"103" and hints[b"link"] == b"</app.css>; rel=preload"
    assert dict(mine[1].headers)[b":status"] == b"200"
    c.close()
    origin.sock.close()
