"""Background work for sources, run by ``newswire worker`` (django-tasks, database queue),
and its schedule: the polls the worker's housekeeping queues when sources are due."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from ..schedule import queue_due
from .models import StorySource
from .poll import poll


@task()
def poll_source(source_id: int, pinged: bool = False) -> str:
    """Poll one source (queued by the worker's housekeeping when the source is due, or by
    the source's ping: ``pinged``)."""
    if pinged:  # started: a ping from now on queues another poll (it may see more)
        StorySource.objects.filter(pk=source_id).update(ping_queued_at=None)
    source = StorySource.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return "no such active source"
    return str(poll(source))


def due_sources(now: datetime | None = None) -> int:
    """Queue a poll of every active source that is due; return how many. A source is
    claimed by moving its next poll time in the same transaction as the enqueue, so two
    workers never queue it twice."""
    now = now or timezone.now()
    due = StorySource.objects.filter(active=True, next_poll_at__lte=now)
    return queue_due(due, poll_source.enqueue, now, "next_poll_at")
