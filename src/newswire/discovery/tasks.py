"""Discovery's background work, run by ``newswire worker`` (django-tasks, database queue),
and its schedule: what the worker's housekeeping queues when it is due."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ..partners.models import PartnerDomain
from ..schedule import queue_due
from .feeds import discover, read_feed
from .fetcher import page_fetcher
from .models import DomainWatch, WatchedFeed


@task()
def discover_domain(domain_id: int) -> str:
    """Look for a partner domain's feeds and sitemaps (its home page, its robots.txt)."""
    domain = PartnerDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        return "no such domain"
    with page_fetcher() as fetcher:
        found = discover(domain, fetcher)
    return f"{len(found)} feeds and sitemaps"


@task()
def read_watched_feed(feed_id: int) -> str:
    """Read one watched feed or sitemap; its new articles are handed on to be checked."""
    feed = WatchedFeed.objects.filter(pk=feed_id).select_related("domain").first()
    if feed is None:
        return "no such feed"
    with page_fetcher() as fetcher:
        done = read_feed(feed, fetcher)
    return done.error or f"{done.queued} articles queued"


def due_discovery(now: datetime | None = None) -> tuple[int, int]:
    """Queue the exploring of partner domains never looked at, and the reading of watched
    feeds that are due (the worker's housekeeping). Each is claimed in the same transaction
    as its enqueue (the domain's watch made, the feed's next read moved on), so two workers
    never queue it twice."""
    now = now or timezone.now()
    domains = PartnerDomain.objects.filter(
        partner__status="active", watch__isnull=True
    ).values_list("pk", flat=True)[:100]
    found = 0
    for pk in domains:
        with transaction.atomic():
            _, made = DomainWatch.objects.get_or_create(domain_id=pk)
            if made:  # queued once
                discover_domain.enqueue(pk)
                found += 1
    due = WatchedFeed.objects.filter(next_read_at__lte=now, domain__partner__status="active")
    return found, queue_due(due, read_watched_feed.enqueue, now, "next_read_at")
