"""Background work for pickups, run by ``newswire worker`` (django-tasks, database queue),
and its schedule: what the worker's housekeeping queues when it is due."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task

from ..partners.models import PartnerDomain
from ..schedule import queue_due
from .check import check_urls, page_fetcher
from .models import DomainWatch, PartnerFeed, Via
from .sources import discover, poll
from .turns import NotYourTurn
from .watch import still_open


@task(takes_context=True)
def check_page(context: TaskContext, url: str, via: str = Via.BEACON, watched: int = 0,
               observation: str = "") -> str:  # fmt: skip
    """Fetch and check one page (a beacon's referring page, a partner's new article).

    What it records is keyed by the task (``observation``: the first task's, for a page
    put back to wait for its host's turn), so a task run again (its worker died after
    recording) records nothing twice. ``watched`` (a story's id): one of the sooner
    re-checks after a correction or withdrawal, skipped once the copy carries it.
    """
    if watched and not still_open(url, watched):
        return "the copy carries the change already"
    observation = observation or f"task {context.task_result.id}"
    try:
        done = next(iter(check_urls([url], via=via, observation=observation, defer=True)))
    except NotYourTurn as turn:
        # another worker asked the host a moment ago: this page waits in the queue, and the
        # worker checks another meanwhile (pickups/turns.py); it keeps this task's key, so
        # that what an earlier run of this task recorded is not recorded again
        check_page.using(run_after=turn.at).enqueue(url, via, watched, observation)
        return f"waiting for its host's turn ({turn.host}, at {turn.at:%H:%M:%S.%f})"
    if done.status != "ok":
        return f"{done.status}: {done.reason}"
    return f"{len(done.found)} copies"


@task()
def discover_domain(domain_id: int) -> str:
    domain = PartnerDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        return "no such domain"
    with page_fetcher() as fetcher:
        found = discover(domain, fetcher)
    return f"{len(found)} sources"


@task()
def poll_source(source_id: int) -> str:
    source = PartnerFeed.objects.filter(pk=source_id).select_related("domain").first()
    if source is None:
        return "no such source"
    with page_fetcher() as fetcher:
        done = poll(source, fetcher)
    return done.error or f"{done.queued} articles queued"


@task()
def take_screenshot(pickup_id: int) -> str:
    """Take a screenshot of a copy (the copy page's button): on a worker with Chromium."""
    from .models import Pickup
    from .screenshot import ScreenshotError, take

    pickup = Pickup.objects.filter(pk=pickup_id).first()
    if pickup is None:
        return f"copy {pickup_id} is gone"
    try:
        shot = take(pickup)
    except ScreenshotError as exc:
        return f"no screenshot of {pickup.url}: {exc}"
    marks = ", ".join(m["what"] for m in shot.outlined) or "nothing outlined"
    return f"screenshot of {pickup.url}: {marks}"


def due_work(now: datetime | None = None) -> tuple[int, int]:
    """Queue discovery for partner domains never looked at, and polls of due sources (the
    worker's housekeeping). Each is claimed in the same transaction as its enqueue (the
    domain's watch made, the source's next poll moved on), so two workers never queue it
    twice."""
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
    due = PartnerFeed.objects.filter(next_poll_at__lte=now, domain__partner__status="active")
    return found, queue_due(due, poll_source.enqueue, now)
