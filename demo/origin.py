#!/usr/bin/env python3
"""The demo origin: the small website Consentry protects in the README's quick start, and the real
origin the integration tests run behind the proxy. Standard library only.

Pages: / (the demo site with its own consent banner), /healthz.
Test endpoints: /echo (request as JSON), /bytes?n=N (streamed body of N bytes, chunked unless
cl=1), /upload (reads the body, answers its length and sha256), /set-cookie?name=value&...,
/status/NNN, /slow?ms=N, /ws (WebSocket echo).
"""
import argparse
import base64
import hashlib
import json
import os
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body are two writes: with Nagle on, the body waits for the ACK of the headers,
    # which the proxy delays up to 40 ms (delayed ACK), so every proxied request took ~40 ms.
    disable_nagle_algorithm = True
    server_version = "consentry-demo-origin"

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            sys.stderr.write("origin: " + fmt % args + "\n")

    def _send(self, code, body, ctype="text/plain", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            total, digest = 0, hashlib.sha256()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return total, digest.hexdigest()
                left = size
                while left:
                    chunk = self.rfile.read(min(left, 1 << 16))
                    if not chunk:
                        raise ConnectionError("short chunk")
                    digest.update(chunk)
                    left -= len(chunk)
                total += size
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        total, digest = 0, hashlib.sha256()
        while total < length:
            chunk = self.rfile.read(min(length - total, 1 << 16))
            if not chunk:
                break
            digest.update(chunk)
            total += len(chunk)
        return total, digest.hexdigest()

    def parse_request(self):
        # Counted as soon as the head is parsed, before any answer, so a client that has read a
        # response always sees its own request (and every earlier one) in the count.
        ok = super().parse_request()
        if ok:
            with self.server.lock:
                self.server.requests += 1
        return ok

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path in ("/upload", "/echo"):
            total, digest = self._read_body()
            if url.path == "/echo":
                return self._echo(body_length=total)
            return self._send(200, json.dumps({"length": total, "sha256": digest}),
                              "application/json")
        self._read_body()
        self._send(404, "not found\n")

    do_PUT = do_POST

    def _echo(self, body_length=0):
        info = {"method": self.command, "path": self.path, "version": self.request_version,
                "headers": [[k, v] for k, v in self.headers.items()], "body_length": body_length}
        self._send(200, json.dumps(info), "application/json")

    def do_GET(self):
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query))
        path = url.path
        if path == "/healthz":
            return self._send(200, "ok\n")
        if path == "/__origin/requests":  # how many requests reached the origin (tests)
            return self._send(200, str(self.server.requests), "text/plain")
        if path == "/echo":
            return self._echo()
        if path == "/bytes":
            return self._bytes(int(query.get("n", "1024")), query.get("cl") == "1")
        if path == "/set-cookie":
            headers = [("Set-Cookie", f"{k}={v}; Path=/") for k, v in parse_qsl(url.query)]
            return self._send(200, "<html><body>cookies</body></html>", "text/html", headers)
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            if code in (204, 304):
                self.send_response(code)
                self.end_headers()
                return None
            return self._send(code, f"status {code}\n")
        if path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000.0)
            return self._send(200, "slow\n")
        if path == "/ws":
            return self._websocket()
        return self._static(path)

    def _static(self, path):
        name = "index.html" if path in ("/", "") else path.lstrip("/")
        full = os.path.realpath(os.path.join(SITE, name))
        if not os.path.isfile(full) and os.path.isfile(full + ".html"):
            full += ".html"
        if not full.startswith(os.path.realpath(SITE)) or not os.path.isfile(full):
            return self._send(404, "<html><body>not found</body></html>", "text/html")
        ctype = "text/html; charset=utf-8" if full.endswith(".html") else (
            "text/css" if full.endswith(".css") else "application/octet-stream")
        with open(full, "rb") as f:
            return self._send(200, f.read(), ctype)

    def _bytes(self, n, with_length):
        block = (b"0123456789abcdef" * 4096)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if with_length:
            self.send_header("Content-Length", str(n))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if self.command == "HEAD":
            return
        left = n
        while left:
            part = block[:min(left, len(block))]
            if with_length:
                self.wfile.write(part)
            else:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            left -= len(part)
        if not with_length:
            self.wfile.write(b"0\r\n\r\n")

    def _websocket(self):
        key = self.headers.get("Sec-WebSocket-Key", "")
        if self.headers.get("Upgrade", "").lower() != "websocket" or not key:
            return self._send(400, "websocket upgrade expected\n")
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        while True:
            head = self.rfile.read(2)
            if len(head) < 2:
                return None
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = int.from_bytes(self.rfile.read(2), "big")
            elif length == 127:
                length = int.from_bytes(self.rfile.read(8), "big")
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            if opcode == 8:
                self.wfile.write(b"\x88\x00")
                return None
            frame = bytes([0x80 | opcode])
            if len(payload) < 126:
                frame += bytes([len(payload)])
            elif len(payload) < 65536:
                frame += bytes([126]) + len(payload).to_bytes(2, "big")
            else:
                frame += bytes([127]) + len(payload).to_bytes(8, "big")
            self.wfile.write(frame + payload)
            self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024
    requests = 0
    lock = threading.Lock()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8081")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    if host.startswith("["):
        host = host[1:-1]
        Server.address_family = socketserver.socket.AF_INET6
    server = Server((host, int(port)), Handler)
    server.verbose = args.verbose
    print(f"demo origin listening on {args.listen}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
