"""Full-text RSS 2.0 and Atom feeds for partners (django.contrib.syndication), keyed.

Each item's content is the partner copy: the story, media the wire may pass on,
correction notes, and the attribution block. A corrected story moves back to the
top with its new ``updated`` time. ``ETag``/``Last-Modified`` make polling cheap.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import http_date, quote_etag

from ..wire.models import Story, Terms
from ..wire.partner_copy import partner_html
from .access import authenticate, private, rejection
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


def feed_stories() -> QuerySet[Story]:
    """Public stories, most recently published or corrected first."""
    return (
        Story.objects.public()
        .annotate(
            changed_at=Greatest("shown_at", Coalesce(Max("versions__created_at"), "shown_at"))
        )
        .order_by("-changed_at", "-id")
        .prefetch_related("bylines__reporter", "media__licence", "versions")
    )


class PartnerFeed(Feed):  # type: ignore[type-arg]
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


class PartnerAtomFeed(PartnerFeed):
    feed_type = FullTextAtom
    subtitle = PartnerFeed.description


def _serve(request: HttpRequest, feed_class: type[PartnerFeed]) -> HttpResponse:
    try:
        key = authenticate(request)
    except KeyRejected as exc:
        return rejection(exc)
    stories = list(feed_stories()[: settings.NEWSWIRE_FEED_ITEMS])
    terms = Terms.current()
    times = [s.changed_at for s in stories]  # type: ignore[attr-defined]
    if terms.pk:
        times.append(terms.updated_at)
    last = max(times, default=None)
    versions = [(s.pk, s.version) for s in stories]
    tag = hashlib.sha256(f"{feed_class.__name__}|{last}|{versions}".encode()).hexdigest()[:32]
    etag = quote_etag(tag)
    last_ts = int(last.timestamp()) if last else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_ts)
    if not_modified is not None:
        return private(not_modified)
    response = feed_class(stories, terms)(request)
    response["ETag"] = etag
    if last_ts is not None:
        response["Last-Modified"] = http_date(last_ts)
    Delivery.objects.bulk_create(
        [
            Delivery(partner_id=key.partner_id, story=s, channel=Delivery.Channel.FEED)
            for s in stories
        ],
        ignore_conflicts=True,
    )
    return private(response)


def rss(request: HttpRequest) -> HttpResponse:
    return _serve(request, PartnerFeed)


def atom(request: HttpRequest) -> HttpResponse:
    return _serve(request, PartnerAtomFeed)
