#!/usr/bin/env python3
"""A minimal analytics collector for the delivery tests: accepts POSTed NDJSON (optionally
gzip) or JSON arrays and appends every event id it receives to a file, one per line.
Usage: collector.py PORT OUT_FILE"""
import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        text = body.decode()
        events = json.loads(text) if text.lstrip().startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.strip()]
        with open(self.server.out, "a") as f:
            for e in events:
                f.write((e.get("id") or e["data"]["id"]) + "\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.daemon_threads = True
    server.out = sys.argv[2]
    server.serve_forever()


if __name__ == "__main__":
    main()
