"""How the worker's upkeep queues work that is due, once whatever the number of workers:
the one rule the CMS sources' polls and the reads of partners' watched feeds share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet


def queue_due(
    due: QuerySet[Any], enqueue: Callable[[int], object], now: datetime, next_at: str
) -> int:
    """Queue ``enqueue(pk)`` for each row of ``due`` (rows with a next time, the field named
    ``next_at``, and ``every`` seconds), the longest due first, at most 500; return how many.
    A row is claimed by moving its next time on in the same transaction as the enqueue, so
    two workers never queue it twice."""
    queued = 0
    for row in due.order_by(next_at)[:500]:
        with transaction.atomic():
            later = now + timedelta(seconds=row.every)
            claimed = type(row).objects.filter(pk=row.pk, **{next_at: getattr(row, next_at)})
            if claimed.update(**{next_at: later}):
                enqueue(row.pk)
                queued += 1
    return queued
