"""A timestamping authority that answers late: an HTTP relay in front of the development TSA.

Each POST waits the next delay of :attr:`SlowTsa.delays` (none left: no wait), then relays the
request to the real TSA and its answer back. A client that gave up meanwhile gets nothing.
"""
from __future__ import annotations

import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlowTsa:
    def __init__(self, target: str, delays: list[float] | None = None):
        self.target = target
        self.delays = list(delays or [])
        self.requests = 0
        relay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                relay.requests += 1
                delay = relay.delays.pop(0) if relay.delays else 0
                if delay:
                    time.sleep(delay)
                request = urllib.request.Request(relay.target, data=body, headers={
                    "Content-Type": self.headers.get("Content-Type", "application/timestamp-query")})
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
                    data, ctype = answer.read(), answer.headers.get("Content-Type")
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client stopped waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "SlowTsa":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
