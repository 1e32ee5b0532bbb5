"""At-least-once delivery through the real binary to a real collector process (SPEC §6): the
collector is killed for 10 s under load and restarted; Consentry restarts with a non-empty spool;
SIGTERM flushes. In each case the set of ids received equals the set of ids emitted."""
import os
import signal

import pytest
import subprocess
import sys
import threading
import time

from conftest import CONSENT, consent_config, free_port, http_get, wait_for, wait_for_port

HERE = os.path.dirname(os.path.abspath(__file__))


class Collector:
    def __init__(self, port, out):
        self.port, self.out, self.proc = port, out, None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "collector.py"),
                                      str(self.port), self.out])
        wait_for_port(self.port)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def ids(self):
        if not os.path.exists(self.out):
            return set()
        with open(self.out) as f:
            return {line.strip() for line in f if line.strip()}


@pytest.fixture
def collectors():
    """Makes Collectors and kills whatever is still running at teardown, pass or fail."""
    made = []

    def make(port, out):
        c = Collector(port, out)
        made.append(c)
        return c

    yield make
    for c in made:
        if c.proc is not None and c.proc.poll() is None:
            c.kill()


def config(origin, collector_port):
    return consent_config(origin, f"""
sinks:
  - {{name: local, type: file, path: events/all.jsonl, fsync: 0ms}}
  - {{name: collector, type: http, url: "http://127.0.0.1:{collector_port}/events",
     batch: {{max_events: 50, max_delay: 200ms}}, timeout: 1s, spool: {{dir: spool/collector}}}}
""")


def load(p, seconds, counter):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _, _ = http_get(p.url + "/healthz", headers={"Cookie": CONSENT})
        if status == 200:
            counter.append(1)
        time.sleep(0.01)


def emitted(p):
    return {e["id"] for e in p.events("events/all.jsonl")}


def test_collector_outage_under_load_loses_nothing(make_proxy, origin, workdir, collectors):
    port = free_port()
    c = collectors(port, os.path.join(workdir, "received.txt"))
    c.start()
    p = make_proxy(config=config(origin, port))
    done = []
    t = threading.Thread(target=load, args=(p, 16, done))
    t.start()
    time.sleep(2)
    c.kill()
    time.sleep(10)
    c.start()
    t.join()
    assert len(done) > 100
    # the sink retries with backoff (at most 30 s) and replays its spool once the collector is back
    assert wait_for(lambda: c.ids() >= emitted(p), 40), "spool not replayed after the outage"
    # more load right before SIGTERM: the drain must flush it too
    done2 = []
    load(p, 1, done2)
    assert p.stop() == 0
    done += done2
    sent = emitted(p)
    assert len(sent) == len(done)
    assert wait_for(lambda: c.ids() >= sent, 5), f"missing {len(sent - c.ids())} of {len(sent)}"
    assert c.ids() == sent


def test_restart_with_nonempty_spool_replays(binary, make_proxy, origin, workdir, collectors):
    port = free_port()
    c = collectors(port, os.path.join(workdir, "received.txt"))
    p = make_proxy(config=config(origin, port))
    for _ in range(120):
        assert http_get(p.url + "/healthz", headers={"Cookie": CONSENT})[0] == 200
    assert p.stop() == 0  # collector never came up: everything is in the spool
    sent = emitted(p)
    assert len(sent) == 120
    assert c.ids() == set()
    c.start()
    p.start(p.port)  # same working directory, same spool
    assert wait_for(lambda: c.ids() >= sent, 20), f"missing {len(sent - c.ids())}"
    assert c.ids() == sent
    p.stop()
