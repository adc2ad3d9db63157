"""A transaction that lost to another on a passing fault, tried again.

PostgreSQL ends one of two transactions that wait on each other ("deadlock detected",
SQLSTATE 40P01) or that it cannot serialise (40001), and SQLite answers "database is
locked" once its busy time-out has passed: in each case the transaction was rolled back
whole, so doing it again is safe and is what the loser should do. Used where several
processes write the same rows at once (recording copies: the counts' triggers upsert
the same day's rows). Only the outermost transaction is retried: inside another one, the
fault is the caller's to handle.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

log = logging.getLogger(__name__)

T = TypeVar("T")

#: tries in all, before the fault is raised
ATTEMPTS = 5
_PASSING = ("40P01", "40001")  # deadlock_detected, serialization_failure


def passing(exc: OperationalError) -> bool:
    """Whether the fault passes when tried again (a lost deadlock, SQLite busy)."""
    code = getattr(getattr(exc, "__cause__", None), "sqlstate", None) or getattr(
        getattr(exc, "__cause__", None), "pgcode", None
    )
    if code in _PASSING:
        return True
    text = str(exc).lower()
    return "deadlock detected" in text or "database is locked" in text or (
        "could not serialize" in text
    )


def retried(work: Callable[[], T], what: str, attempts: int = ATTEMPTS) -> T:
    """``work()`` (which opens its own transaction), tried again after a passing fault."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except OperationalError as exc:
            if attempt == attempts or connection.in_atomic_block or not passing(exc):
                raise
            log.info("%s tried again (%s)", what, str(exc).splitlines()[0][:200])
            time.sleep(random.uniform(0.02, 0.2) * attempt)
    raise AssertionError("unreachable")  # pragma: no cover
