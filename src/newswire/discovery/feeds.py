"""Partner sites, followed: find each partner domain's feeds and sitemaps (each a
:class:`WatchedFeed`), read them on a schedule, and hand every new article to pickups to
check (``newswire worker`` runs all of it).

Everything goes through the safe fetcher (public addresses, robots.txt, one request a
second per host, size cap). A feed that is not XML, a sitemap over the size cap, an
XML bomb: the error is recorded on the watched feed, shown in the admin, and the feed is
read again at its next turn; nothing else stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urljoin

from django.db import transaction
from django.utils import timezone

from ..events import answers, page_to_check, pages_checked_since
from ..fetch import FEED_TYPES, FetchError, PageFetcher, url_problem
from ..partners.models import PartnerDomain
from .models import DomainWatch, Via, WatchedFeed

MAX_NEW_ARTICLES = 200  # a read queues at most this many checks
MAX_CHILD_SITEMAPS = 20  # a sitemap index is followed this far
RECENT = timedelta(days=7)  # an article checked this recently is not queued again
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XML_TYPES = (*FEED_TYPES, "text/plain")  # some servers send sitemaps as plain text


class FeedError(Exception):
    pass


@dataclass
class FeedRead:
    feed: WatchedFeed
    articles: list[str] = field(default_factory=list)
    queued: int = 0
    error: str = ""


def discover(domain: PartnerDomain, fetcher: PageFetcher, home: str = "") -> list[WatchedFeed]:
    """Find a domain's feeds (<link rel=alternate> on its home page) and sitemaps (robots.txt)."""
    from selectolax.lexbor import LexborHTMLParser

    home = home or f"https://{domain.domain}/"
    watch, _ = DomainWatch.objects.get_or_create(domain=domain)
    found: list[tuple[str, str]] = []
    errors = []
    try:
        page = fetcher.get(home)
        tree = LexborHTMLParser(page.body)
        for link in tree.css('link[rel~="alternate"]'):
            kind = (link.attributes.get("type") or "").lower()
            href = link.attributes.get("href") or ""
            if href and kind in ("application/rss+xml", "application/atom+xml"):
                found.append((urljoin(page.final_url, href), WatchedFeed.Kind.FEED))
        found += [(url, WatchedFeed.Kind.SITEMAP) for url in fetcher.sitemaps(home)]
    except FetchError as exc:
        errors.append(f"{exc.reason}: {exc}")
    made = []
    for url, kind in found[:20]:
        if url_problem(url):  # (a feed link with no usable address: not watched)
            continue
        feed, _ = WatchedFeed.objects.get_or_create(
            domain=domain, url=url[:1000], defaults={"kind": kind, "found_by": "discovered"}
        )
        made.append(feed)
    watch.discovered_at = timezone.now()
    watch.last_error = "; ".join(errors)[:2000]
    watch.save()
    return made


def read_feed(feed: WatchedFeed, fetcher: PageFetcher) -> FeedRead:
    """Read a watched feed, hand each article not checked lately to pickups; record any
    error on the feed."""
    done = FeedRead(feed)
    now = timezone.now()
    try:
        fetched = fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified,
                              types=XML_TYPES)  # fmt: skip
        if fetched.status == 304:
            articles: list[str] = []
        elif not 200 <= fetched.status < 300:
            raise FeedError(f"HTTP {fetched.status}")
        else:
            articles = (
                feed_links(fetched.body, fetched.headers)
                if feed.kind == WatchedFeed.Kind.FEED
                else sitemap_links(fetched.body, fetcher)
            )
            feed.etag = fetched.headers.get("etag", "")[:300]
            feed.last_modified = fetched.headers.get("last-modified", "")[:100]
    except (FetchError, FeedError) as exc:
        done.error = str(exc)[:2000]
        articles = []
    # every article link is a URL newswire was given: checked here, where it comes in
    judged = [(a, url_problem(a)) for a in articles]
    bad = [(a, why) for a, why in judged if why]
    if bad:
        articles = [a for a, why in judged if not why]
        said = f"{len(bad)} article link{'' if len(bad) == 1 else 's'} skipped " \
               f"({bad[0][0][:200]!r}: {bad[0][1]})"  # fmt: skip
        done.error = f"{done.error}; {said}" if done.error else said
    done.articles = articles
    via = Via.PARTNER_FEED if feed.kind == WatchedFeed.Kind.FEED else Via.SITEMAP
    recent: set[str] = set().union(
        *answers(pages_checked_since, WatchedFeed, urls=articles, since=now - RECENT)
    )
    fresh = [a for a in dict.fromkeys(articles) if a not in recent][:MAX_NEW_ARTICLES]
    with transaction.atomic():
        for url in fresh:
            page_to_check.send(sender=WatchedFeed, url=url, via=via)
        feed.articles += len(fresh)
        feed.last_read_at = now
        feed.next_read_at = now + timedelta(seconds=feed.every)
        if done.error:
            feed.last_error, feed.last_error_at = done.error, now
        else:
            feed.last_error = ""
        feed.save()
    done.queued = len(fresh)
    return done


def feed_links(body: bytes, headers: Mapping[str, str] | None = None) -> list[str]:
    from ..wire.importer import parse_feed

    parsed = parse_feed(body, headers).parsed
    if not parsed.entries:
        reason = parsed.get("bozo_exception") or "no entries"
        raise FeedError(f"not a readable RSS/Atom feed: {reason}")
    return [e.link for e in parsed.entries if str(e.get("link", "")).startswith("http")]


def sitemap_links(body: bytes, fetcher: PageFetcher | None = None, depth: int = 0) -> list[str]:
    """The page URLs of a sitemap; a sitemap index's children are read (one level)."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise FeedError(f"not a readable sitemap: {type(exc).__name__}: {exc}") from None
    locs = [(el.text or "").strip() for el in root.iter(f"{SITEMAP_NS}loc")]
    if root.tag != f"{SITEMAP_NS}sitemapindex":
        return [u for u in locs if u.startswith(("http://", "https://"))]
    if fetcher is None or depth > 0:
        return []
    pages: list[str] = []
    for child in locs[:MAX_CHILD_SITEMAPS]:
        try:
            fetched = fetcher.get(child, types=XML_TYPES)
            pages += sitemap_links(fetched.body, fetcher, depth + 1)
        except (FetchError, FeedError):
            continue  # one child sitemap lost; the others still count
    return pages
