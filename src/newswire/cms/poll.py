"""Polling a source: fetch through the safe fetcher, follow its pages to the end, store
each item (:mod:`.store`), record what went wrong on the source, schedule the next poll.

- RSS, Atom and ninjs: a conditional request (ETag, Last-Modified) for the first page;
  a 304 ends the poll. Further pages (``rel="next"``, RFC 5005; ninjs ``next``) are
  followed until the end, or, once a poll has completed before, until a page holds
  nothing new.
- WordPress: ``/wp/v2/posts?_embed`` modified since the newest ``modified_gmt`` of the
  last complete poll (``modified_after``) less a day, because WordPress compares that
  value with the site's local time; the posts are listed by id, a total order, each page
  overlapping the one before (``newswire.wordpress``: the one REST client, shared with
  the push), so that no post is skipped (ordered by modification time, posts sharing a
  second moved between pages: 16 of a burst of 500 were never imported). Posts seen again
  are compared and left alone. Now and then (``NEWSWIRE_SOURCE_SWEEP``) the whole list of
  post ids is compared with ours: each post never seen is imported, and each post that
  is missing is asked for: deleted (404, 410) or unpublished (401, 403) ones are flagged
  for an editor.

A source that answers badly (HTTP 500, a time-out, HTML instead of a feed, a WordPress
error object, a body over the size limit) gets a :class:`~.models.Fault` and its
``last_error``; nothing already imported is touched, and the cursor stays where it was,
so the next poll starts from the same place. Every item is stored in its own
transaction: a poll killed half-way leaves whole stories or none.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..distribution.secrets import SecretLost
from ..fetch import FEED_TYPES, Fetched, FetchError, FetchPolicy, Network, SafeClient
from ..wire.models import Story, Terms
from ..wordpress import RestClient, WordPressError, basic_auth, refusal
from .models import Fault, Item, StorySource
from .readers import (
    Entry,
    SourceFault,
    feed_entries,
    ninjs_page,
    wordpress_posts,
)
from .store import fault, store_page

log = logging.getLogger(__name__)

PER_PAGE = 100  # WordPress's largest page
FAULTS_KEPT = 500  # per source, newest first


@dataclass
class Polled:
    """What one poll of one source did."""

    source: StorySource
    created: int = 0
    corrected: int = 0
    updated: int = 0
    unchanged: int = 0
    flagged: int = 0
    skipped: int = 0
    pages: int = 0
    error: str = ""
    seconds: float = 0.0
    #: called after each page (the CLI's progress line)
    progress: Callable[[Polled], None] | None = None

    def page_done(self) -> None:
        self.pages += 1
        if self.progress is not None:
            self.progress(self)

    def add(self, outcome: str) -> str:
        setattr(self, outcome, getattr(self, outcome) + 1)
        return outcome

    @property
    def items(self) -> int:
        return (self.created + self.corrected + self.updated + self.unchanged + self.flagged
                + self.skipped)  # fmt: skip

    def __str__(self) -> str:
        counts = ", ".join(
            f"{getattr(self, k)} {k}"
            for k in ("created", "corrected", "updated", "unchanged", "flagged", "skipped")
            if getattr(self, k)
        )
        head = (
            f"{self.source}: {counts or 'nothing new'} ({self.pages} page(s), {self.seconds:.1f} s)"
        )
        return f"{head}; FAILED: {self.error}" if self.error else head


# --- the fetcher sources use --------------------------------------------------------


def private_sources(entries: Iterable[str]) -> tuple[tuple[Network, ...], tuple[str, ...]]:
    """``NEWSWIRE_PRIVATE_SOURCES`` as (networks, host names)."""
    networks: list[Network] = []
    hosts: list[str] = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.append(entry.lower().rstrip("."))
    return tuple(networks), tuple(hosts)


def source_policy() -> FetchPolicy:
    """The safe fetcher's policy for sources: public addresses, and the hosts and networks
    the operator named in ``NEWSWIRE_PRIVATE_SOURCES`` (pickup fetches never get these)."""
    base = FetchPolicy.from_settings(settings)
    networks, hosts = private_sources(settings.NEWSWIRE_PRIVATE_SOURCES)
    total = settings.NEWSWIRE_SOURCE_TIMEOUT
    return replace(
        base,
        allow=base.allow + networks,
        allow_hosts=hosts,
        max_bytes=settings.NEWSWIRE_SOURCE_MAX_BYTES,
        total_timeout=total,
        read_timeout=min(base.read_timeout, total),
        connect_timeout=min(base.connect_timeout, total),
    )


def source_client() -> SafeClient:
    return SafeClient(source_policy())


def _fetch(client: SafeClient, url: str, accept: str, *, etag: str = "",
           last_modified: str = "") -> Fetched:  # fmt: skip
    """A feed's or ninjs page's GET (a WordPress's go through :class:`RestClient`)."""
    headers = {"Accept": accept}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    got = client.request("GET", url, headers=headers)
    if got.status == 304 or 200 <= got.status < 300:
        return got
    raise SourceFault(refusal(url, got))


# --- polling ------------------------------------------------------------------------


def poll(
    source: StorySource,
    client: SafeClient | None = None,
    progress: Callable[[Polled], None] | None = None,
) -> Polled:
    """Poll one source now; record the outcome on it. Never raises for what the source sends."""
    done = Polled(source, progress=progress)
    started = time.monotonic()
    now = timezone.now()
    own = client is None
    client = client or source_client()
    terms = Terms.current()
    try:
        if source.kind == StorySource.Kind.WORDPRESS:
            _poll_wordpress(source, client, terms, done)
        elif source.kind == StorySource.Kind.NINJS:
            _poll_pages(source, client, terms, done, ninjs=True)
        else:
            _poll_pages(source, client, terms, done, ninjs=False)
    except (FetchError, SourceFault, WordPressError) as exc:
        done.error = str(exc)[:2000]
        fault(source, getattr(exc, "url", "") or source.url, done.error)
    except Exception as exc:  # a bug of ours, met on this source: logged, and the others go on
        log.exception("polling %s failed", source.url)
        done.error = f"internal error: {type(exc).__name__}: {exc}"[:2000]
        fault(source, source.url, done.error)
    finally:
        if own:
            client.close()
    done.seconds = time.monotonic() - started
    source.last_polled_at = now
    source.schedule(now)
    if done.error:
        source.last_error, source.last_error_at = done.error, now
    else:
        source.last_error, source.last_ok_at = "", now
    source.save()
    _prune(source)
    return done


def _prune(source: StorySource) -> None:
    old = Fault.objects.filter(source=source).order_by("-at", "-id")[FAULTS_KEPT : FAULTS_KEPT + 1]
    cut = old.first()
    if cut is not None:
        Fault.objects.filter(source=source, at__lte=cut.at, id__lte=cut.id).delete()


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _poll_pages(
    source: StorySource, client: SafeClient, terms: Terms, done: Polled, *, ninjs: bool
) -> None:
    """RSS, Atom, ninjs: the first page conditionally, then ``next`` pages."""
    accept = "application/json" if ninjs else ",".join(FEED_TYPES) + ",*/*;q=0.1"
    url, seen = source.url, set[str]()
    etag = last_modified = ""
    limit = settings.NEWSWIRE_SOURCE_MAX_PAGES
    while url:
        first = not seen
        got = _fetch(client, url, accept, etag=source.etag if first else "",
                     last_modified=source.last_modified if first else "")  # fmt: skip
        if got.status == 304:
            done.page_done()
            return  # nothing changed since the last poll
        if first:
            etag = got.headers.get("etag", "")[:300]
            last_modified = got.headers.get("last-modified", "")[:100]
        where = "" if first else f" on {url}"
        if ninjs:
            entries, after = ninjs_page(got.body, where)
        else:
            entries, after = feed_entries(got.body, where, got.headers)
        outcomes = [done.add(o) for o in store_page(source, entries, terms)]
        _copy_photos(source, client, entries, outcomes)
        done.page_done()
        seen.add(url)
        link_next = got.headers.get("link", "")
        if not after and 'rel="next"' in link_next:
            after = link_next.split(">", 1)[0].lstrip(" <")
        if after and not after.startswith(("http://", "https://", "/")):
            after = _with_query(source.url, cursor=after)  # a cursor, as newswire's API gives
        nothing_new = source.last_ok_at is not None and all(o == "unchanged" for o in outcomes)
        url = urljoin(url, after) if after and not nothing_new else ""
        if url in seen:
            url = ""
        if url and done.pages >= limit:
            fault(source, url, f"stopped after {limit} pages (NEWSWIRE_SOURCE_MAX_PAGES)")
            url = ""
    source.etag, source.last_modified = etag, last_modified


def _wordpress_auth(source: StorySource) -> dict[str, str]:
    """The Authorization header of a source that holds an application password ({} when
    it holds none, or this server's key cannot read it: then published posts only, and
    the source's fault says why)."""
    if not source.signed_in():
        return {}
    try:
        secret = source.password()
    except SecretLost:
        fault(source, source.url, "the application password cannot be read with this "
                                  "server's key: enter it again (published posts only meanwhile)")
        return {}
    return basic_auth(source.user, secret)


def _posts_pages(wp: RestClient, query: dict[str, str],
                 source: StorySource) -> Iterator[tuple[str, Fetched]]:  # fmt: skip
    """The list of posts, page by page (:meth:`RestClient.pages`: in a total order, each
    page overlapping the one before), at most ``NEWSWIRE_SOURCE_MAX_PAGES``: a fault says
    where it stopped."""
    limit = settings.NEWSWIRE_SOURCE_MAX_PAGES
    yield from wp.pages("posts", query, max_pages=limit)
    if wp.stopped_at:
        fault(source, wp.stopped_at, f"stopped after {limit} pages (NEWSWIRE_SOURCE_MAX_PAGES)")


def _poll_wordpress(source: StorySource, client: SafeClient, terms: Terms, done: Polled) -> None:
    wp = RestClient(source.api_root(), client, _wordpress_auth(source))
    query = {"_embed": "1", "per_page": str(PER_PAGE)}
    if wp.auth:  # scheduled posts too: they arrive embargoed until their time
        query["status"] = "publish,future"
    if source.modified_after:
        since = datetime.fromisoformat(source.modified_after) - timedelta(days=1)
        query["modified_after"] = since.strftime("%Y-%m-%dT%H:%M:%S")
    newest = source.modified_after
    seen: set[str] = set()
    for page, (_, got) in enumerate(_posts_pages(wp, query, source), start=1):
        entries = wordpress_posts(got.body, f" (page {page})")
        fresh = [e for e in entries if not e.cms_id or e.cms_id not in seen]  # the overlap
        seen.update(e.cms_id for e in entries)
        outcomes = store_page(source, fresh, terms)
        for outcome in outcomes:
            done.add(outcome)
        _copy_photos(source, client, fresh, outcomes)
        for entry in entries:
            if entry.modified and entry.modified > newest:
                newest = entry.modified
        done.page_done()
    source.modified_after = _valid_time(newest)
    swept = source.swept_at
    if swept is None or swept <= timezone.now() - timedelta(seconds=settings.NEWSWIRE_SOURCE_SWEEP):
        flagged, found = _sweep_wordpress(source, wp, terms)
        done.flagged += flagged
        done.created += found
        source.swept_at = timezone.now()


def _copy_photos(source: StorySource, client: SafeClient, entries: list[Entry],
                 outcomes: list[str]) -> None:  # fmt: skip
    """The photos of the stories a page made or changed, into the wire's store."""
    from .photos import copy_photos

    if not settings.NEWSWIRE_SOURCE_PHOTOS:
        return

    touched = [e.cms_id for e, o in zip(entries, outcomes, strict=False)
               if o in ("created", "corrected", "updated") and e.cms_id]  # fmt: skip
    for item in Item.objects.filter(source=source, cms_id__in=touched).select_related("story"):
        if item.story is not None and item.story.media.filter(file="").exists():
            copy_photos(source, item.story, client)


def _valid_time(value: str) -> str:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return ""
    return value[:40]


def _sweep_wordpress(source: StorySource, wp: RestClient, terms: Terms) -> tuple[int, int]:
    """Compare the list of post ids with ours: import the posts newswire has never seen
    (whatever their modification time) and flag the items whose posts WordPress no longer
    shows. Return (flagged, imported)."""
    listed: set[str] = set()
    listing = {"_fields": "id", "per_page": str(PER_PAGE)}
    if wp.auth:
        listing["status"] = "publish,future"
    for url, got in _posts_pages(wp, listing, source):
        try:
            data = json.loads(got.body or b"[]")
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, list):
            raise SourceFault(f"{url}: not a list of posts")
        listed |= {str(p.get("id")) for p in data if isinstance(p, dict)}
    known = set(Item.objects.filter(source=source).values_list("cms_id", flat=True))
    never = sorted(listed - known, key=lambda i: (len(i), i))
    found = 0
    for start in range(0, len(never), PER_PAGE):
        batch = never[start : start + PER_PAGE]
        asked = {"_embed": "1", "per_page": str(PER_PAGE), "include": ",".join(batch)}
        if wp.auth:
            asked["status"] = "publish,future"
        got = wp.read(wp.url("posts", asked))
        entries = wordpress_posts(got.body, " (posts never seen, found by the sweep)")
        found += sum(o == "created" for o in store_page(source, entries, terms))
    missing = (
        Item.objects.filter(source=source, flag="")
        .exclude(cms_id__in=listed)
        .exclude(story__release_at__gt=timezone.now())  # scheduled posts are not listed yet
        .exclude(story__status=Story.Status.WITHDRAWN)
    )
    flagged = 0
    for item in missing.select_related("story")[:1000]:
        got = wp.get(wp.url(f"posts/{item.cms_id}", {"_fields": "id,status"}))
        gone: str
        if got.status in (404, 410):
            gone = Item.Flag.DELETED
        elif got.status in (401, 403):
            gone = Item.Flag.UNPUBLISHED
        elif got.status == 200:
            status = _status_of(got.body)
            gone = "" if status in ("publish", "future", "") else Item.Flag.UNPUBLISHED
        else:
            continue  # the server is having trouble: ask again at the next sweep
        if gone:
            with transaction.atomic():
                flagged += Item.objects.filter(pk=item.pk, flag="").update(
                    flag=gone, flagged_at=timezone.now()
                )
    return flagged, found


def _status_of(body: bytes) -> str:
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    return str(data.get("status", "")) if isinstance(data, dict) else ""


__all__ = ["Entry", "Polled", "poll", "private_sources", "source_client",
           "source_policy"]  # fmt: skip
