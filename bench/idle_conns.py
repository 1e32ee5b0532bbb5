#!/usr/bin/env python3
"""Idle keep-alive memory: opens N connections to 127.0.0.1:PORT, sends one request on each and
reads the answer, then leaves them idle and prints the RSS growth of process PID (and its
children) per connection in bytes. Usage: idle_conns.py PORT PID [N=5000] [tls]
With `tls` each connection completes a TLS handshake (no verification) before its request."""
import os
import resource
import selectors
import socket
import ssl
import sys
import time


def rss_bytes(pid):
    total = 0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        with open(f"/proc/{p}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def main():
    port, pid = int(sys.argv[1]), int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    tls = len(sys.argv) > 4 and sys.argv[4] == "tls"
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1000), hard))
    time.sleep(0.3)
    before = rss_bytes(pid)
    conns = []
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    sel = selectors.DefaultSelector()
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        if tls:
            s = context.wrap_socket(s)
        s.sendall(request)
        conns.append(s)
    pending = {s.fileno(): s for s in conns}
    for s in conns:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    got = {}
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except ssl.SSLWantReadError:
                continue
            got[s.fileno()] = got.get(s.fileno(), 0) + len(data)
            if got[s.fileno()] >= 1024 or not data:
                sel.unregister(s)
                pending.pop(s.fileno(), None)
    time.sleep(1.0)
    after = rss_bytes(pid)
    print(f"{(after - before) / n:.0f} bytes/conn ({n - len(pending)} answered, "
          f"rss {before // 1024} -> {after // 1024} KiB)")
    for s in conns:
        s.close()


if __name__ == "__main__":
    main()
