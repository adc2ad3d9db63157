"""Pages served from loopback hosts for the benchmarks (a sibling module): each request is
noted, so that a benchmark can say how often each page was fetched and how far apart."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler


class Pages(BaseHTTPRequestHandler):
    """Serves ``pages`` (by "host:port/path"; 404 for any other) and notes every request
    in ``asked`` as (host:port, path, when)."""

    pages: dict[str, bytes] = {}
    asked: list[tuple[str, str, float]] = []
    lock = threading.Lock()

    def do_GET(self) -> None:
        host = self.headers["Host"]
        with type(self).lock:
            type(self).asked.append((host, self.path, time.monotonic()))
        body = type(self).pages.get(f"{host}{self.path}")
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass
