"""Full-text RSS 2.0 and Atom feeds for partners (django.contrib.syndication), keyed.

Each item's content is the partner copy: the story, media the wire may pass on,
correction notes, and the attribution block. A corrected story moves back to the
top with its new ``updated`` time. ``ETag``/``Last-Modified`` make polling cheap.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import http_date, quote_etag

from ..wire.cache import FINGERPRINT_KEY, current_terms, rendered
from ..wire.models import Story, StoryVersion, Terms
from ..wire.partner_copy import partner_html
from .access import authenticate, rejection
from .models import Delivery, KeyRejected
from .snippet import beacon_img


class FullTextRss(Rss201rev2Feed):
    content_type = "application/rss+xml; charset=utf-8"

    def rss_attributes(self) -> dict[str, str]:
        attrs = super().rss_attributes()
        attrs["xmlns:content"] = "http://purl.org/rss/1.0/modules/content/"
        return attrs

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class FullTextAtom(Atom1Feed):
    content_type = "application/atom+xml; charset=utf-8"

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content"], {"type": "html"})


def feed_stories(limit: int) -> list[Story]:
    """The ``limit`` public stories most recently released or corrected, newest first.

    Two indexed queries (newest releases, newest corrections) merged here,
    rather than one aggregate over every story and version.
    """
    public = Story.objects.public()
    newest = list(public.values_list("pk", "shown_at")[:limit])  # type: ignore[misc]  # public() annotates shown_at
    corrected = (
        StoryVersion.objects.filter(number__gt=1, story__in=public.values("pk"))
        .order_by("-created_at")
        .values_list("story_id", "created_at")[: limit * 2]
    )
    changed: dict[int, datetime] = {}
    for pk, when in [*newest, *corrected]:
        if pk not in changed or when > changed[pk]:
            changed[pk] = when
    top = sorted(changed, key=lambda pk: (changed[pk], pk), reverse=True)[:limit]
    stories = {
        s.pk: s
        for s in Story.objects.filter(pk__in=top).prefetch_related(
            "bylines__reporter", "media__licence", "versions"
        )
    }
    for pk in top:
        stories[pk].changed_at = changed[pk]  # type: ignore[attr-defined]
    return [stories[pk] for pk in top]


class WireRssFeed(Feed):  # type: ignore[type-arg]
    """The RSS feed newswire serves a partner (its stories, full text, the credit the terms
    require); not to be confused with a partner's own feeds that newswire reads
    (``discovery.WatchedFeed``)."""

    feed_type: type[Rss201rev2Feed | Atom1Feed] = FullTextRss

    def __init__(self, stories: list[Story], terms: Terms) -> None:
        super().__init__()
        self.stories = stories
        self.terms = terms

    def title(self) -> str:
        return f"{self.terms.wire}: stories to republish"

    def link(self) -> str:
        return settings.SITE_URL + "/"

    def description(self) -> str:
        return f"Full text of {self.terms.wire}'s stories for partners, with the attribution block."

    def items(self) -> list[Story]:
        return self.stories

    def item_title(self, item: Story) -> str:
        return item.headline

    def item_description(self, item: Story) -> str:
        return item.summary

    def item_link(self, item: Story) -> str:
        return item.public_url()

    def item_guid(self, item: Story) -> str:
        return item.uri

    def item_guid_is_permalink(self, item: Story) -> bool:
        return False

    def item_author_name(self, item: Story) -> str:
        return item.byline()

    def item_pubdate(self, item: Story) -> Any:
        return item.shown_time()

    def item_updateddate(self, item: Story) -> Any:
        return getattr(item, "changed_at", None) or item.updated_at

    def item_categories(self, item: Story) -> list[str]:
        return [item.desk] if item.desk else []

    def item_extra_kwargs(self, item: Story) -> dict[str, Any]:
        return {"content": partner_html(item, self.terms, extra=beacon_img(item))}


class WireAtomFeed(WireRssFeed):
    feed_type = FullTextAtom
    subtitle = WireRssFeed.description


def feed_validators() -> tuple[str, datetime | None]:
    """The feeds' fingerprint, kept for ``NEWSWIRE_CACHE_SECONDS`` (see wire/cache.py) and
    never past the next embargo's release time, so a release by the clock shows at once."""
    now = timezone.now()
    kept = cache.get(FINGERPRINT_KEY) if settings.NEWSWIRE_CACHE_SECONDS > 0 else None
    if kept is not None and kept[2] > now:
        return kept[0], kept[1]
    tag, last = _fingerprint()
    next_release = (
        Story.objects.filter(
            release_at__gt=now, status__in=[Story.Status.PUBLISHED, Story.Status.SCHEDULED]
        )
        .order_by("release_at")
        .values_list("release_at", flat=True)
        .first()
    )
    until = now + timedelta(seconds=settings.NEWSWIRE_CACHE_SECONDS)
    if next_release is not None:
        until = min(until, next_release)
    if settings.NEWSWIRE_CACHE_SECONDS > 0:
        cache.set(FINGERPRINT_KEY, (tag, last, until), settings.NEWSWIRE_CACHE_SECONDS)
    return tag, last


def _fingerprint() -> tuple[str, datetime | None]:
    """A cheap fingerprint of everything a feed shows, from one aggregate query.

    The set of public stories changes when one is published, released by the
    clock, corrected, edited or withdrawn; each moves the count, the newest
    release time, the newest edit or the newest version. A poll that finds the
    same fingerprint gets a 304 without a story being loaded.
    """
    public = Story.objects.public()
    stats = public.aggregate(
        n=Count("id", distinct=True),
        shown=Max("shown_at"),
        edited=Max("updated_at"),
        versioned=Max("versions__created_at"),
    )
    terms = Terms.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    times = [
        t for t in (stats["shown"], stats["edited"], stats["versioned"], terms) if t is not None
    ]
    tag = f"{stats['n']}|{'|'.join(t.isoformat() for t in times)}"
    return tag, max(times, default=None)


def _serve(request: HttpRequest, feed_class: type[WireRssFeed]) -> HttpResponse:
    try:
        key = authenticate(request)
    except KeyRejected as exc:
        return rejection(exc)
    fingerprint, last = feed_validators()
    etag = quote_etag(
        hashlib.sha256(f"{feed_class.__name__}|{fingerprint}".encode()).hexdigest()[:32]
    )
    last_ts = int(last.timestamp()) if last else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
    if not_modified is not None:
        return not_modified

    def render() -> tuple[bytes, str, list[int]]:
        stories = feed_stories(settings.NEWSWIRE_FEED_ITEMS)
        response = feed_class(stories, current_terms())(request)
        return response.content, response["Content-Type"], [s.pk for s in stories]

    # every partner gets the same feed for the same fingerprint: rendered once
    body, content_type, story_ids = rendered(f"newswire:feed:{request.get_host()}:{etag}", render)
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    if last_ts is not None:
        response["Last-Modified"] = http_date(last_ts)
    Delivery.record_once(key.partner_id, story_ids, Delivery.Channel.FEED, etag)
    return response


def rss(request: HttpRequest) -> HttpResponse:
    return _serve(request, WireRssFeed)


def atom(request: HttpRequest) -> HttpResponse:
    return _serve(request, WireAtomFeed)
