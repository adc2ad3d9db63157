"""What kind of source a URL is, asked of the URL itself (``newswire sources add`` without
``--kind``): a WordPress site says so in a ``Link: <…/wp-json/>; rel="https://api.w.org/"``
header on every page; a feed is XML with ``<rss>`` or ``<feed>``; ninjs is JSON."""

from __future__ import annotations

import json
import re

from ..fetch import FetchError, SafeClient
from ..wire.importer import as_utf8, ebcdic_xml
from ..wire.ninjs import BadRecord
from .models import StorySource
from .readers import SourceFault, looks_like_html

_API_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="https://api\.w\.org/"')
_API_TAG = re.compile(rb'<link[^>]+rel=["\']https://api\.w\.org/["\'][^>]*>', re.I)
_HREF = re.compile(rb'href=["\']([^"\']+)["\']', re.I)
_FEED_TAG = re.compile(rb'<link[^>]+type=["\']application/(?:rss|atom)\+xml["\'][^>]*>', re.I)


def detect(url: str, client: SafeClient) -> tuple[str, str]:
    """(kind, URL to store) for ``url``; raise :class:`SourceFault` saying why it is none."""
    if "/wp-json" in url:
        return StorySource.Kind.WORDPRESS, url
    try:
        got = client.get(url, headers={"Accept": "*/*"})
    except FetchError as exc:
        raise SourceFault(f"cannot read {url}: {exc.message}") from None
    if not 200 <= got.status < 300:
        raise SourceFault(f"{url}: HTTP {got.status}")
    found = _API_LINK.search(got.headers.get("link", ""))
    if found:
        return StorySource.Kind.WORDPRESS, found.group(1)
    try:
        body = as_utf8(got.body).lstrip(b"\xef\xbb\xbf \t\r\n")  # UTF-16 and -32 too
    except BadRecord as exc:
        raise SourceFault(f"{url}: {exc}") from None
    if ebcdic_xml(body):  # (read by its declaration, as feedparser does: only its kind here)
        body = body[:4096].decode("cp037", "replace").encode("utf-8")
    if looks_like_html(body):
        tag = _API_TAG.search(body[:200_000])
        href = _HREF.search(tag.group(0)) if tag else None
        if href:
            return StorySource.Kind.WORDPRESS, href.group(1).decode("utf-8", "replace")
        feed = _FEED_TAG.search(body[:200_000])
        hint = _HREF.search(feed.group(0)) if feed else None
        more = f"; its feed is {hint.group(1).decode('utf-8', 'replace')}: add that" if hint else ""
        raise SourceFault(f"{url} is a web page, not a feed, WordPress site or ninjs{more}")
    if body.startswith(b"<"):
        head = body[:4096]
        if re.search(rb"<(?:\w+:)?feed[\s>]", head):
            return StorySource.Kind.ATOM, url
        if re.search(rb"<(?:rss|rdf:RDF)[\s>]", head):
            return StorySource.Kind.RSS, url
        raise SourceFault(f"{url} is XML but neither RSS nor Atom")
    try:
        data = json.loads(
            body.splitlines()[0] if body.startswith(b"{") and b"\n{" in body else body
        )
    except (ValueError, IndexError, RecursionError):
        raise SourceFault(f"{url} is neither a feed, a WordPress site nor ninjs JSON") from None
    if isinstance(data, (list, dict)):
        return StorySource.Kind.NINJS, url
    raise SourceFault(f"{url} is JSON, but not ninjs")
