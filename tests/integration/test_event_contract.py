"""The §5 event contract checked on what the running binary writes: schema string, UUIDv7 id whose
timestamp is the event's time, time in UTC with milliseconds and Z, for every event type."""
import datetime
import json
import re
import time
import urllib.request

from conftest import http_get

CONFIG = """
consent:
  sources:
    - {type: cookie, name: site_consent, format: kv, map: {analytics: analytics}}
telemetry: {record: documents}
sinks: [{name: local, type: file, path: events/events.jsonl, fsync: 0ms}]
"""
COOKIE = "site_consent=analytics%3D1"
UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/131.0.0.0 Safari/537.36")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID7 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def event_ms(event):
    parsed = datetime.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    return round(parsed.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def assert_contract(event, started_ms, ended_ms):
    assert event["schema"] == "consentry.event/1"
    assert TIME.match(event["time"]), event["time"]
    assert UUID7.match(event["id"]), event["id"]
    # the event happened during the test, and its id carries the same millisecond (UUIDv7 §5.7)
    assert started_ms - 5 <= event_ms(event) <= ended_ms + 5, (event["time"], started_ms)
    assert int(event["id"].replace("-", "")[:12], 16) == event_ms(event)
    assert None not in event.values()


def test_pageview_and_beacon_events_carry_their_own_time_and_id(make_proxy):
    p = make_proxy(CONFIG)
    started = time.time() * 1000
    status, _, _ = http_get(p.url + "/pricing", headers={
        "Cookie": COOKIE, "User-Agent": UA, "Accept": "text/html", "Sec-Fetch-Dest": "document"})
    assert status == 200
    body = json.dumps({"events": [{"name": "a"}, {"name": "b", "props": {"k": 1}}]}).encode()
    req = urllib.request.Request(p.url + "/__consentry/collect", data=body, method="POST",
                                 headers={"Cookie": COOKIE, "User-Agent": UA,
                                          "Content-Type": "text/plain"})
    with urllib.request.urlopen(req, timeout=5) as r:
        assert r.status == 204
    ended = time.time() * 1000
    assert p.stop() == 0
    events = p.events()
    assert [e["type"] for e in events] == ["pageview", "beacon", "beacon"]
    for e in events:
        assert_contract(e, started, ended)
    assert len({e["id"] for e in events}) == 3
    assert [e.get("name") for e in events[1:]] == ["a", "b"]
