"""Consent-gated telemetry through the real binary (SPEC §3-§5, §9)."""
import json
import random
import socket
import struct
import time
import urllib.request

import pytest

from conftest import curl_fetch, http_get

# The h1 tests below that take `protocol` also run over h2c (HTTP/2 with prior knowledge): the
# chain must decide, record and edit responses identically for both.
_HTTP2 = False


@pytest.fixture(params=["http1", "h2c"])
def protocol(request):
    global _HTTP2
    _HTTP2 = request.param == "h2c"
    yield request.param
    _HTTP2 = False


def fetch(url, headers=None, data=None):
    if _HTTP2:
        return curl_fetch(url, headers=headers, data=data)
    if data is None:
        return http_get(url, headers=headers)
    req = urllib.request.Request(url, data=data, method="POST", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0.0.0 Safari/537.36")
TELEMETRY = """
consent:
  sources:
    - {type: cookie, name: site_consent, format: kv, map: {analytics: analytics, marketing: ads}}
  require: [{cookie: age_verified, value: "1"}]
privacy:
  strip_cookies: {analytics: ["_ga", "_ga_*"], marketing: ["_fbp"]}
telemetry: {record: documents}
sinks: [{name: local, type: file, path: events/events.jsonl, fsync: 0ms}]
"""
CONSENT = "age_verified=1; site_consent=analytics%3D1%7Cads%3D0%7Cv%3D1"


def navigate(p, path="/pricing", cookie=CONSENT, extra=None):
    headers = {"User-Agent": CHROME, "Accept": "text/html", "Accept-Language": "de-DE,de;q=0.8",
               "Sec-Fetch-Dest": "document"}
    if cookie:
        headers["Cookie"] = cookie
    headers.update(extra or {})
    return fetch(p.url + path, headers=headers)


def post_beacon(p, body, cookie=CONSENT, ctype="text/plain"):
    headers = {"Content-Type": ctype, "User-Agent": CHROME}
    if cookie:
        headers["Cookie"] = cookie
    status, _, answer = fetch(p.url + "/__consentry/collect", headers=headers, data=body.encode())
    return status, answer


def wait_events(p, n, timeout=5):
    deadline = time.monotonic() + timeout
    events = p.events()
    while len(events) < n and time.monotonic() < deadline:
        time.sleep(0.1)
        events = p.events()
    return events


def stop_and_read(p):
    assert p.stop() == 0
    return p.events()


def test_consented_navigation_records_one_pageview(make_proxy, protocol):
    p = make_proxy(TELEMETRY)
    status, headers, _ = navigate(p)
    assert status == 200
    assert "__csy_vid=" in headers.get("Set-Cookie", "")
    assert headers.get("Accept-CH")
    events = stop_and_read(p)
    assert len(events) == 1
    e = events[0]
    assert e["schema"] == "consentry.event/1" and e["type"] == "pageview"
    assert e["client"]["ip"] == "127.0.0.1"
    assert e["client"]["os"]["name"] == "Windows"
    assert e["client"]["browser"] == {"name": "Chrome", "version": "131"}
    assert e["client"]["language"] == "de-DE"
    assert e["page"]["path"] == "/pricing"
    assert e["consent"]["analytics"] is True and e["consent"]["source"] == "cookie"


def test_consented_beacon_carries_screen(make_proxy, protocol):
    p = make_proxy(TELEMETRY)
    status, _ = post_beacon(p, json.dumps({"name": "pageload", "screen": {
        "width": 2560, "height": 1440, "dpr": 2}, "language": "fr-FR", "path": "/x"}))
    assert status == 204
    events = stop_and_read(p)
    assert len(events) == 1
    assert events[0]["type"] == "beacon" and events[0]["name"] == "pageload"
    assert events[0]["client"]["screen"] == {"width": 2560, "height": 1440, "dpr": 2}


def test_beacon_errors_do_not_depend_on_consent(make_proxy, protocol):
    p = make_proxy(TELEMETRY)
    for cookie in (CONSENT, None):
        assert post_beacon(p, "{broken", cookie=cookie)[0] == 400
        assert post_beacon(p, json.dumps({"name": "x" * 40000}), cookie=cookie)[0] == 413
        assert post_beacon(p, json.dumps({"name": "ok"}), cookie=cookie)[0] == 204
    assert len(stop_and_read(p)) == 1


def test_script_served(make_proxy, protocol):
    p = make_proxy(TELEMETRY)
    status, headers, body = fetch(p.url + "/__consentry/t.js")
    assert status == 200
    assert "javascript" in headers["Content-Type"]
    assert b"consentry" in body and b"sendBeacon" in body
    assert "Set-Cookie" not in headers


def test_no_consent_no_event_no_cookie_no_accept_ch(make_proxy, protocol):
    p = make_proxy(TELEMETRY)
    for cookie in (None, "site_consent=analytics%3D1", "age_verified=1; site_consent=analytics%3D0",
                   "age_verified=1; site_consent=%%%garbage"):
        status, headers, _ = navigate(p, "/set-cookie?_ga=1&_fbp=2&sid=3", cookie=cookie)
        assert status == 200
        cookies = headers.get_all("Set-Cookie") or []
        assert not any(c.startswith(("_ga", "_fbp", "__csy_vid")) for c in cookies), cookies
        assert any(c.startswith("sid=") for c in cookies)
        assert "Accept-CH" not in headers
        assert post_beacon(p, json.dumps({"name": "x"}), cookie=cookie)[0] == 204
    assert stop_and_read(p) == []


def test_randomized_requests_privacy_property(make_proxy, protocol):
    """400 random navigations and beacons: only consented ones produce events, and only those
    carry the visitor cookie."""
    p = make_proxy(TELEMETRY)
    rng = random.Random(1129)
    consented = 0
    for i in range(400):
        choice = rng.randrange(5)
        cookie = [None, "site_consent=analytics%3D1%7Cv%3D1",  # age gate missing
                  "age_verified=1; site_consent=analytics%3D0",
                  "age_verified=0; site_consent=analytics%3D1", CONSENT][choice]
        ok = choice == 4
        if rng.random() < 0.3:
            status, _ = post_beacon(p, json.dumps({"name": f"e{i}", "props": {"i": i}}), cookie)
            assert status == 204
        else:
            status, headers, _ = navigate(p, f"/?n={i}", cookie=cookie)
            assert status == 200
            assert ("__csy_vid=" in (headers.get("Set-Cookie") or "")) == ok
        consented += ok
    events = stop_and_read(p)
    assert len(events) == consented
    assert all(e["consent"]["analytics"] for e in events)


def test_withdrawal_expires_cookie_and_emits_withdrawn(make_proxy, protocol):
    p = make_proxy(TELEMETRY)
    _, headers, _ = navigate(p)
    vid = headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    _, headers, _ = navigate(p, cookie=f"age_verified=1; site_consent=analytics%3D0; __csy_vid={vid}")
    assert "Max-Age=0" in headers["Set-Cookie"]
    events = stop_and_read(p)
    # The two requests may be served by different workers, whose outboxes the pipeline drains one
    # after the other: the file keeps no order between them.
    assert sorted(e["type"] for e in events) == ["consent.withdrawn", "pageview"]
    withdrawn = next(e for e in events if e["type"] == "consent.withdrawn")
    assert withdrawn["visitor"] == vid
    assert set(withdrawn) == {"schema", "id", "time", "type", "region", "visitor"}


def test_explain_cli(binary, workdir):
    import os
    import subprocess
    cfg = os.path.join(workdir, "c.yaml")
    with open(cfg, "w") as f:
        f.write("upstreams: [{name: s, servers: ['127.0.0.1:1']}]\n" + TELEMETRY)
    raw = (f"GET /pricing?email=a@b.example HTTP/1.1\r\nHost: example.com\r\nUser-Agent: {CHROME}\r\n"
           f"Accept: text/html\r\nCookie: {CONSENT}\r\n\r\n")
    out = subprocess.run([binary, "-c", cfg, "explain", "--ip", "203.0.113.9", "--request", "-"],
                         input=raw.encode(), capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["consent"]["analytics"] is True
    assert got["region"] == "default"
    assert got["event"]["client"]["ip"] == "203.0.113.9"
    assert "a@b.example" not in out.stdout.decode()
    raw_no = raw.replace(CONSENT, "x=1")
    out = subprocess.run([binary, "-c", cfg, "explain", "--request", "-"], input=raw_no.encode(),
                         capture_output=True, timeout=30)
    got = json.loads(out.stdout)
    assert got["event"] is None and got["consent"]["analytics"] is False


def kernel_absorbs(rcvbuf):
    """Bytes a loopback socket accepts towards a peer with this receive buffer that never reads."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.socket() as reader:
            reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            reader.connect(listener.getsockname())
            writer, _ = listener.accept()
            with writer:
                writer.setblocking(False)
                sent = 0
                for _ in range(30):
                    try:
                        while True:
                            sent += writer.send(b"x" * 16384)
                    except BlockingIOError:
                        time.sleep(0.01)
                return sent


def test_pageview_counts_only_once_its_response_was_written(make_proxy):
    # The body is sized so that the socket takes only part of it while the rest fits in the
    # proxy's output buffer (256 KiB): it is all queued, but a client that reads nothing and
    # resets the connection never got it, so no page view may be recorded.
    n = kernel_absorbs(4096) + 128 * 1024
    p = make_proxy(TELEMETRY.replace("record: documents", "record: all"))
    request = (f"GET /bytes?n={n}&cl=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: {CHROME}\r\n"
               f"Accept: text/html\r\nCookie: {CONSENT}\r\n\r\n").encode()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", p.port))
        s.sendall(request)
        time.sleep(1.0)  # the origin answers; the proxy queues the whole body and waits
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset
    status, _, body = navigate(p, "/bytes?n=200000&cl=1")  # this one is read to the end
    assert status == 200 and len(body) == 200000
    events = stop_and_read(p)
    assert [e["type"] for e in events] == ["pageview"]
