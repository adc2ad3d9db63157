"""Background work for sources, run by ``newswire worker`` (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task


@task()
def poll_source(source_id: int, pinged: bool = False) -> str:
    """Poll one source (queued by the worker's housekeeping when the source is due, or by
    the source's ping: ``pinged``)."""
    from .models import StorySource
    from .poll import poll

    if pinged:  # started: a ping from now on queues another poll (it may see more)
        StorySource.objects.filter(pk=source_id).update(ping_queued_at=None)
    source = StorySource.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return "no such active source"
    return str(poll(source))
