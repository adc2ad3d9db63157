"""How the worker's upkeep queues work that is due, once whatever the number of workers:
the one rule the CMS sources' polls and the partners' feed polls share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet


def queue_due(due: QuerySet[Any], enqueue: Callable[[int], object], now: datetime) -> int:
    """Queue ``enqueue(pk)`` for each row of ``due`` (rows with ``next_poll_at`` and
    ``every`` seconds), the longest due first, at most 500; return how many. A row is claimed
    by moving its next poll time on in the same transaction as the enqueue, so two workers
    never queue it twice."""
    queued = 0
    for row in due.order_by("next_poll_at")[:500]:
        with transaction.atomic():
            later = now + timedelta(seconds=row.every)
            if type(row).objects.filter(pk=row.pk, next_poll_at=row.next_poll_at).update(
                next_poll_at=later
            ):
                enqueue(row.pk)
                queued += 1
    return queued
