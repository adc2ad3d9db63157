"""Background work for sources, run by ``newswire worker`` (django-tasks, database queue)."""

from __future__ import annotations

from django_tasks import task


@task()
def poll_source(source_id: int) -> str:
    """Poll one source (queued by the worker's housekeeping when the source is due)."""
    from .models import StorySource
    from .poll import poll

    source = StorySource.objects.filter(pk=source_id, active=True).first()
    if source is None:
        return "no such active source"
    return str(poll(source))
