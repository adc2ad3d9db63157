"""What a reader of a page newswire fetches sees beyond the page's own bytes: the same
site's linked stylesheets (they decide what is shown) and the pictures (a restricted
photo is known by its look, :mod:`newswire.engine.photos`).

Everything goes through the safe fetcher a check already uses (public addresses only,
robots.txt, one request a second per host) and is bounded: at most :data:`MAX_SHEETS`
sheets of :data:`MAX_SHEET_BYTES` each from the page's own site, at most
``engine.photos.MAX_LOOKED`` pictures a check of :data:`MAX_PICTURE_BYTES` each. What
could not be fetched is left out, and the check says what it had. Sheets and picture
hashes are kept per process for :data:`KEEP_SECONDS` (a site's pages share their sheets;
see ``newswire.runtime`` for the state each process keeps).
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..engine.photos import photo_hash
from ..fetch import FetchError, PageFetcher
from ..runtime import this_process

log = logging.getLogger(__name__)

MAX_SHEETS = 4
MAX_SHEET_BYTES = 512 * 1024
MAX_PICTURE_BYTES = 6 * 1024 * 1024
KEEP_SECONDS = 3600.0
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/avif",
               "image/bmp", "image/tiff")  # fmt: skip
CSS_TYPES = ("text/css",)

_LINK = re.compile(rb"<link\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")

# kept per process (newswire.runtime: sheets, picture_hashes): url -> (kept until, value)
_KEPT_MAX = 4096


def _site(host: str) -> str:
    """The site a host belongs to, as its last two labels (``www.x.org`` and
    ``static.x.org`` are one site)."""
    labels = host.lower().rstrip(".").split(".")
    return ".".join(labels[-2:])


def linked_sheets(page_url: str, body: bytes) -> list[str]:
    """The URLs of the stylesheets a page links from its own site, in order (at most
    :data:`MAX_SHEETS`; ``media`` that is not for a screen left out)."""
    from ..engine.styles import media_matches

    try:
        site = _site(urlsplit(page_url).hostname or "")
    except ValueError:
        return []
    out: list[str] = []
    for tag in _LINK.findall(body[:2_000_000]):
        attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                 for m in _ATTR.finditer(tag)}  # fmt: skip
        rel = attrs.get(b"rel", b"").decode("latin-1").lower().split()
        href = attrs.get(b"href", b"").decode("utf-8", "replace").strip()
        if "stylesheet" not in rel or "alternate" in rel or not href:
            continue
        if not media_matches(attrs.get(b"media", b"").decode("latin-1")):
            continue
        try:
            url = urljoin(page_url, href)
            host = urlsplit(url).hostname or ""
        except ValueError:
            continue
        if _site(host) == site and url not in out:
            out.append(url)
        if len(out) >= MAX_SHEETS:
            break
    return out


def _keep(store: dict[str, Any], key: str, value: object) -> None:
    if len(store) >= _KEPT_MAX:
        store.clear()
    store[key] = (time.monotonic() + KEEP_SECONDS, value)


def stylesheets(page_url: str, body: bytes, fetcher: PageFetcher) -> tuple[str, ...]:
    """The text of the page's same-site linked stylesheets (kept per process)."""
    out = []
    sheets = this_process().sheets
    for url in linked_sheets(page_url, body):
        kept = sheets.get(url)
        if kept is None or kept[0] < time.monotonic():
            css: str | None = None
            try:
                fetched = fetcher.get(url, types=CSS_TYPES)
                if 200 <= fetched.status < 300 and len(fetched.body) <= MAX_SHEET_BYTES:
                    css = fetched.body.decode(fetched.charset or "utf-8", "replace")
            except (FetchError, LookupError) as exc:
                log.info("stylesheet %s of %s not read: %s", url, page_url, exc)
            _keep(sheets, url, css)
            kept = sheets[url]
        if kept[1]:
            out.append(kept[1])
    return tuple(out)


class FetchedLooks:
    """:class:`newswire.engine.photos.Looks` for a check: each picture fetched once through
    the check's fetcher (bounded in size), its hash kept per process."""

    def __init__(self, fetcher: PageFetcher, page_url: str = "", body: bytes = b"") -> None:
        self.fetcher = fetcher
        self.page_url = page_url
        self.body = body
        self.fetched = 0

    def stylesheets(self) -> tuple[str, ...]:
        return stylesheets(self.page_url, self.body, self.fetcher) if self.page_url else ()

    def photo_hash(self, url: str) -> int | None:
        hashes = this_process().picture_hashes
        kept = hashes.get(url)
        if kept is not None and kept[0] >= time.monotonic():
            return kept[1]
        value: int | None = None
        try:
            fetched = self.fetcher.get(url, types=IMAGE_TYPES)
            self.fetched += 1
            if 200 <= fetched.status < 300 and len(fetched.body) <= MAX_PICTURE_BYTES:
                value = photo_hash(fetched.body)
        except FetchError as exc:
            log.info("picture %s not read: %s", url, exc)
        _keep(hashes, url, value)
        return value
