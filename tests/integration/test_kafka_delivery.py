"""Kafka delivery through the real binary (SPEC §6), over the real Kafka wire protocol:
librdkafka's mock cluster runs as a separate process on loopback (tests/helpers/
kafka_mock_cluster.c, driven through its stdin), Consentry produces to it and kcat consumes.
A broker outage injected with rd_kafka_mock_broker_set_down under load is spooled (metrics) and,
once the broker is back, every emitted id is in the topic (duplicates allowed, nothing missing);
a restart with a non-empty kafka spool replays it; two regions route to two kafka sinks, each
with its own topic."""
import glob
import json
import os
import select
import subprocess
import threading
import time

import pytest

from conftest import BIN, CONSENT, consent_config, http_get, wait_for

MOCK = os.path.join(os.path.dirname(BIN), "kafka_mock_cluster")
# A dead broker surfaces as timed-out messages (spooled) after 1.5 s instead of 30 s, and the
# producer reconnects within 0.5 s of the broker coming back: keeps each test to a few seconds.
FAST = '{"message.timeout.ms": "1500", "reconnect.backoff.max.ms": "500"}'


class MockCluster:
    """tests/helpers/kafka_mock_cluster as a child process: one command per line on stdin."""

    def __init__(self, brokers=1):
        if not os.path.exists(MOCK):
            pytest.fail(f"{MOCK} not built (it is built next to the consentry binary)")
        self.proc = subprocess.Popen([MOCK, str(brokers)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.bootstrap = self._reply()

    def _reply(self, timeout=10):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        assert ready, "kafka_mock_cluster did not answer"
        return self.proc.stdout.readline().strip()

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def consume(self, topic):
        """Every event in `topic`, from the beginning to the current end, read with kcat."""
        out = subprocess.run(["kcat", "-C", "-b", self.bootstrap, "-t", topic, "-e", "-o",
                              "beginning", "-q", "-f", "%s\\n"],
                             capture_output=True, text=True, timeout=30, check=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def ids(self, topic):
        return {e["id"] for e in self.consume(topic)}

    def stop(self):
        self.proc.stdin.close()  # EOF: the helper exits
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def cluster():
    c = MockCluster()
    yield c
    c.stop()


def config(origin, bootstrap):
    return consent_config(origin, f"""
sinks:
  - {{name: local, type: file, path: events/all.jsonl, fsync: 0ms}}
  - {{name: kafka, type: kafka, brokers: "{bootstrap}", topic: events, batch: {{max_delay: 10ms}},
     properties: {FAST}, spool: {{dir: spool/kafka}}}}
""")


def request(p, n=1):
    for _ in range(n):
        assert http_get(p.url + "/healthz", headers={"Cookie": CONSENT})[0] == 200


def load(p, stop):
    while not stop.is_set():
        request(p)
        time.sleep(0.005)


def emitted(p):
    return {e["id"] for e in p.events("events/all.jsonl")}


def drained(p):
    """The kafka sink's spool is empty and it has written at least what the file sink has."""
    return (p.metric("consentry_spool_bytes", sink="kafka") == 0 and
            p.metric("consentry_events_total", sink="kafka", result="written") >= len(emitted(p)))


def test_broker_outage_under_load_spools_and_loses_nothing(make_proxy, origin, cluster):
    assert cluster.command("create events 4") == "ok"
    p = make_proxy(config=config(origin, cluster.bootstrap))
    stop = threading.Event()
    t = threading.Thread(target=load, args=(p, stop))
    t.start()
    try:
        time.sleep(1)
        assert cluster.command("down 1") == "ok"
        assert wait_for(lambda: p.metric("consentry_events_total", sink="kafka",
                                         result="spooled") > 0, 10), "nothing spooled"
        time.sleep(1)  # more load while the spool is not empty: queued behind it
        assert p.metric("consentry_spool_bytes", sink="kafka") > 0
        assert cluster.command("up 1") == "ok"
        time.sleep(1)
    finally:
        stop.set()
        t.join()
    assert wait_for(lambda: drained(p), 30), "kafka spool not replayed after the outage"
    request(p, 50)  # right before SIGTERM: the drain must deliver these too
    assert p.stop() == 0
    sent = emitted(p)
    assert len(sent) > 100
    got = cluster.consume("events")
    missing = sent - {e["id"] for e in got}
    assert not missing, f"missing {len(missing)} of {len(sent)}"
    assert len(got) >= len(sent)  # duplicates allowed


def test_restart_with_nonempty_kafka_spool_replays(make_proxy, origin, cluster, workdir):
    assert cluster.command("create events 1") == "ok"
    assert cluster.command("down 1") == "ok"
    p = make_proxy(config=config(origin, cluster.bootstrap))
    request(p, 100)
    assert p.stop() == 0  # messages timed out or were purged at shutdown: all in the spool
    sent = emitted(p)
    assert len(sent) == 100
    segments = glob.glob(os.path.join(workdir, "spool", "kafka", "*"))
    assert sum(os.path.getsize(f) for f in segments) > 0, "nothing left in the spool"
    assert cluster.command("up 1") == "ok"
    p.start(p.port)  # same working directory, same spool
    assert wait_for(lambda: p.metric("consentry_spool_bytes", sink="kafka") == 0, 20)
    assert wait_for(lambda: cluster.ids("events") >= sent, 10), "spool not replayed"
    assert p.stop() == 0


def region_config(origin, bootstrap, geo_db):
    return consent_config(origin, f"""
geo: {{database: {geo_db}}}
regions:
  - {{name: eea, countries: [DE, FR], sinks: [eu]}}
  - {{name: rest, continents: [NA, AS], sinks: [world]}}
  - {{name: default, sinks: [world]}}
unknown_region: strictest
sinks:
  - {{name: eu, type: kafka, brokers: "{bootstrap}", topic: telemetry-eu,
     batch: {{max_delay: 10ms}}, properties: {FAST}}}
  - {{name: world, type: kafka, brokers: "{bootstrap}", topic: telemetry-world,
     batch: {{max_delay: 10ms}}, properties: {FAST}}}
""", workers=1)


def test_two_regions_two_kafka_topics(make_proxy, origin, cluster, geo_db):
    for topic in ("telemetry-eu", "telemetry-world"):
        assert cluster.command(f"create {topic} 2") == "ok"
    p = make_proxy(config=region_config(origin, cluster.bootstrap, geo_db))
    clients = {"81.2.69.160": "eea", "2a02:8100:1234::7": "eea", "12.0.5.9": "rest",
               "175.16.199.3": "rest", "198.51.100.1": "unknown"}
    for ip in clients:
        for _ in range(3):
            assert http_get(p.url + "/healthz", headers={"Cookie": CONSENT,
                                                   "X-Forwarded-For": ip})[0] == 200
    assert p.stop() == 0
    eu, world = cluster.consume("telemetry-eu"), cluster.consume("telemetry-world")
    assert sorted(e["region"] for e in eu) == ["eea"] * 6 + ["unknown"] * 3
    assert sorted(e["region"] for e in world) == ["rest"] * 6 + ["unknown"] * 3
    # residency: no EEA event in the other topic; an unknown region goes to both (strictest)
    assert {e["id"] for e in eu if e["region"] == "unknown"} == \
        {e["id"] for e in world if e["region"] == "unknown"}
