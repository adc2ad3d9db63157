"""The demo's partner sites, served by the demo itself, so that the loop can be seen in a
browser: an editor corrects or withdraws a story, the worker's re-check reads the partners'
pages (from here, not the internet) and flags the copies; "fixed" as its partner would fix
it, a copy's re-check clears it, and time to correct moves.

The sites are the pages of the sample crawl (``pages.warc.gz``), each answered for its own
host and path. ``newswire demo`` starts this server on the port after the site's (8001),
and names the crawl's domains in ``NEWSWIRE_DEMO_SITES``: the safe fetcher then asks this
address for their pages (``fetch.FetchPolicy.stand_ins``), with their own URL and Host.

Its own page (http://127.0.0.1:8001/) lists the pages, each with what a partner would do:
put the story's current text on it (the snippet, as the partner page offers it), take it
down, or put the crawled page back. What is changed is kept in ``$NEWSWIRE_DATA/demo-sites``.
"""

from __future__ import annotations

import hashlib
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def crawled_pages(warc: Path | None = None) -> dict[str, tuple[str, bytes]]:
    """The sample crawl's pages: URL -> (content type, body)."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    pages: dict[str, tuple[str, bytes]] = {}
    # (the demo's folder, named without importing the loader: this is read before Django is)
    with open(warc or Path(__file__).parent / "pages.warc.gz", "rb") as fh:
        for record in ArchiveIterator(fh, record_types=WarcRecordType.response):
            url = str(record.headers.get("WARC-Target-URI") or "")
            kind = (record.http_headers.get("Content-Type") if record.http_headers else None)
            pages[url] = (str(kind or "text/html"), record.reader.read())
    return pages


def domains(pages: dict[str, Any]) -> list[str]:
    """The domains the crawl's pages are on (``www.`` left off)."""
    return sorted({(urlsplit(u).hostname or "").removeprefix("www.") for u in pages} - {""})


class DemoSites:
    """The crawl's pages on one loopback address, and what the demo's partners did to them."""

    def __init__(self, data_dir: Path, pages: dict[str, tuple[str, bytes]] | None = None):
        self.pages = pages if pages is not None else crawled_pages()
        self.kept = Path(data_dir) / "demo-sites"
        self.kept.mkdir(parents=True, exist_ok=True)
        self.server: ThreadingHTTPServer | None = None

    # --- what a partner did to a page ----------------------------------------------------

    def _file(self, url: str) -> Path:
        return self.kept / hashlib.sha256(url.encode()).hexdigest()[:32]

    def page(self, url: str) -> tuple[int, str, bytes]:
        kept = self._file(url)
        if kept.with_suffix(".gone").exists():
            return 404, "text/html; charset=utf-8", b"<html><body>Not found</body></html>"
        if kept.with_suffix(".html").exists():
            return 200, "text/html; charset=utf-8", kept.with_suffix(".html").read_bytes()
        if url in self.pages:
            kind, body = self.pages[url]
            return 200, kind, body
        return 404, "text/html; charset=utf-8", b"<html><body>Not found</body></html>"

    def fix(self, url: str) -> None:
        """Put the current text of the story (or stories) this page carries on it, as the
        partner page's snippet gives it: what a partner does to fix a copy."""
        from ..distribution.snippet import snippet_html
        from ..pickups.models import Pickup
        from ..wire.models import Terms

        terms = Terms.current()
        stories = [p.story for p in Pickup.objects.filter(url=url).select_related("story")]
        body = "".join(f"<article>{snippet_html(s, terms)}</article>" for s in stories)
        title = html.escape(stories[0].headline if stories else "")
        self._file(url).with_suffix(".gone").unlink(missing_ok=True)
        self._file(url).with_suffix(".html").write_text(
            f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>",
            encoding="utf-8",
        )

    def take_down(self, url: str) -> None:
        self._file(url).with_suffix(".html").unlink(missing_ok=True)
        self._file(url).with_suffix(".gone").write_text(url)

    def restore(self, url: str) -> None:
        for suffix in (".html", ".gone"):
            self._file(url).with_suffix(suffix).unlink(missing_ok=True)

    def state(self, url: str) -> str:
        kept = self._file(url)
        if kept.with_suffix(".gone").exists():
            return "taken down"
        fixed = kept.with_suffix(".html").exists()
        return "fixed with the current text" if fixed else "as crawled"

    # --- serving -------------------------------------------------------------------------

    def start(self, port: int, host: str = "127.0.0.1") -> str:
        """Serve in a daemon thread; return the address ("127.0.0.1:8001")."""
        sites = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # (the stdlib's name)
                sites._get(self)

            def do_POST(self) -> None:
                sites._post(self)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="newswire-demo-sites",
                         daemon=True).start()  # fmt: skip
        return f"{host}:{self.server.server_port}"

    def _own(self, h: BaseHTTPRequestHandler) -> bool:
        """Whether the request is for this server's own page (not a partner's site)."""
        asked = (h.headers.get("Host") or "").split(":")[0]
        return asked in ("127.0.0.1", "localhost", "")

    def _get(self, h: BaseHTTPRequestHandler) -> None:
        if self._own(h):
            self._send(h, 200, "text/html; charset=utf-8", self._index().encode())
            return
        host = h.headers.get("Host", "")
        path = h.path if h.path.startswith("/") else "/"
        if path == "/robots.txt":
            self._send(h, 404, "text/plain", b"")
            return
        found = [self.page(f"{scheme}://{host}{path}") for scheme in ("https", "http")]
        status, kind, body = next((f for f in found if f[0] == 200), found[0])
        self._send(h, status, kind, body)

    def _post(self, h: BaseHTTPRequestHandler) -> None:
        if not self._own(h):
            self._send(h, 405, "text/plain", b"")
            return
        length = min(int(h.headers.get("Content-Length") or 0), 10_000)
        form = parse_qs(h.rfile.read(length).decode("utf-8", "replace"))
        url = (form.get("url") or [""])[0]
        action = {"fix": self.fix, "down": self.take_down, "restore": self.restore}.get(
            (form.get("do") or [""])[0]
        )
        if url in self.pages and action is not None:
            action(url)
        h.send_response(303)
        h.send_header("Location", "/")
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _index(self) -> str:
        rows = []
        for url in sorted(self.pages, key=lambda u: (urlsplit(u).hostname or "", u)):
            e = html.escape(url, quote=True)
            buttons = "".join(
                f'<button name="do" value="{do}">{label}</button> '
                for do, label in (("fix", "Put the story's current text on it"),
                                  ("down", "Take it down"),
                                  ("restore", "Put the crawled page back"))
            )  # fmt: skip
            rows.append(f"<li><a href=\"{e}\">{html.escape(url)}</a> <em>({self.state(url)})"
                        f"</em><form method=post><input type=hidden name=url value=\"{e}\">"
                        f"{buttons}</form></li>")  # fmt: skip
        return (
            "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>The demo's partner "
            "sites</title><meta name=viewport content='width=device-width,initial-scale=1'>"
            "</head><body style='font-family:sans-serif;max-width:60rem;margin:1rem auto;"
            "padding:0 1rem'><h1>The demo's partner sites</h1><p>The pages of the sample crawl, "
            "served by the demo so that newswire's checks can read them. Do to a page what its "
            "partner would: after a correction, put the story's current text on it (then ask "
            "for a new check on the partner's page, or wait for the worker's re-check); after a "
            "withdrawal, take it down.</p><ul>" + "".join(rows) + "</ul></body></html>"
        )

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, kind: str, body: bytes) -> None:
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
