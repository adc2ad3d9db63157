"""A fake web site on 127.0.0.1 for fetcher tests: every request it gets is logged.

Routes are set per test: ``site.route("/path", handler)`` where a handler gets the
request handler and writes the whole response (so a test can lie, drip or bomb).
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[BaseHTTPRequestHandler], None]


class FakeSite:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.server = server
        self.routes: dict[str, Handler] = {}
        self.log: list[tuple[str, str, dict[str, str], bytes]] = []
        self.port = server.server_port
        self.url = f"http://{server.server_address[0]}:{self.port}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def paths(self) -> list[str]:
        return [path for _, path, _, _ in self.log]


def respond(
    status: int = 200,
    body: bytes = b"",
    content_type: str = "text/html; charset=utf-8",
    headers: dict[str, str] | None = None,
) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        if h.command != "HEAD":
            with contextlib.suppress(OSError):  # the client hung up (it refused the body)
                h.wfile.write(body)

    return handle


def html(text: str, **kw: Any) -> Handler:
    return respond(200, f"<!DOCTYPE html><html><body>{text}</body></html>".encode(), **kw)


def redirect(location: str, status: int = 302) -> Handler:
    return respond(status, b"", headers={"Location": location})


def endless(total: int, *, declare: bool = True) -> Handler:
    """A body of ``total`` bytes written in 64 kB pieces (stops when the client hangs up)."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        if declare:
            h.send_header("Content-Length", str(total))
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = b"<p>" + b"x" * 65530 + b"</p>"
        sent = 0
        try:
            while sent < total:
                h.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass

    return handle


def gzip_bomb(inflated: int = 200 * 1024 * 1024, layers: int = 1) -> Handler:
    data = gzip.compress(b"\0" * inflated, compresslevel=9)
    for _ in range(layers - 1):
        data = gzip.compress(data, compresslevel=9)
    encoding = ", ".join(["gzip"] * layers)
    return respond(200, data, headers={"Content-Encoding": encoding})


def drip(seconds: int = 60) -> Handler:
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        try:
            for _ in range(seconds):
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(1)
        except OSError:
            pass

    return handle


@contextmanager
def fake_site(address: str = "127.0.0.1") -> Iterator[FakeSite]:
    """A site on a loopback ``address`` (127.0.0.2 … for hosts of their own)."""
    site: FakeSite

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?", 1)[0]
            site.log.append((self.command, self.path, dict(self.headers), body))
            self.body = body  # (for a handler that reads it)
            handler = site.routes.get(path) or respond(404, b"not here")
            handler(self)

        do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            import sys

            if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is fine
                super().handle_error(request, client_address)

    server = Server((address, 0), H)
    server.daemon_threads = True
    site = FakeSite(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
