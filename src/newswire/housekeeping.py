"""What ``newswire worker`` does besides running queued tasks, every ``NEWSWIRE_HOUSEKEEPING``
seconds, so that one worker command is all a newsroom runs besides the web server:

- **Tasks a dead worker claimed** go back to the queue. django-tasks' database backend
  marks a task RUNNING when a worker claims it and never looks again; a worker killed
  mid-task (``kill -9``, a machine restart) would leave it RUNNING for good. A task
  RUNNING for longer than ``NEWSWIRE_TASK_TIMEOUT`` is made READY again (every task
  here can run twice: each looks at what is already done first).
- **Re-checks that are due** are queued: every pickup is checked again one day and
  seven days after it was found (``NEWSWIRE_RECHECK_DAYS``).
- **Partner sites**: each active partner's domains are explored once for feeds and
  sitemaps, and each source is polled when due (hourly by default).
- **Story sources** (the newsroom's CMS) are polled when due (every 5 minutes by default).
- **Beacon spools** left by stopped web workers are recorded.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .runtime import this_process

log = logging.getLogger(__name__)


def requeue_abandoned(timeout: timedelta | None = None) -> int:
    """Make tasks RUNNING for longer than ``timeout`` READY again; return how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    timeout = timeout or timedelta(seconds=settings.NEWSWIRE_TASK_TIMEOUT)
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - timeout
    )
    return stale.update(status=TaskResultStatus.READY, started_at=None)


def queue_due_rechecks(now: datetime | None = None) -> int:
    """Queue a check of every pickup whose next scheduled re-check is due; return how many."""
    from .pickups.models import Pickup, Via
    from .pickups.record import count_recheck
    from .pickups.tasks import check_page

    now = now or timezone.now()
    queued = 0
    for step, days in enumerate(settings.NEWSWIRE_RECHECK_DAYS):
        due = Pickup.objects.filter(
            rechecks=step, first_seen__lte=now - timedelta(days=days)
        ).order_by("first_seen")
        for pickup in due[:1000].iterator():
            with transaction.atomic():
                # mark first, in the same transaction as the enqueue: queued once
                if count_recheck(pickup, step):
                    check_page.enqueue(pickup.url, Via.RECHECK)
                    queued += 1
    return queued


def refresh_statistics(every: float = 3600.0) -> int:
    """SQLite: ``PRAGMA optimize`` once an hour, so the planner keeps choosing the
    dashboard's covering indexes as the tables grow (SQLite gathers no statistics by
    itself). PostgreSQL's autovacuum does this there. Return 1 when it ran."""
    import time

    state = this_process()
    if connection.vendor != "sqlite" or time.monotonic() - state.statistics_refreshed < every:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "PRAGMA optimize=0x10002"
        )  # analyse what needs it, tables never analysed too
        # SQLite 3.40's optimize passes over a table that has no statistics at all (a new
        # one, or one a migration rebuilt): those are analysed here
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
        )
        analysed = (
            "SELECT 1 FROM sqlite_stat1 WHERE tbl = m.name" if cursor.fetchone() else "SELECT 0"
        )
        cursor.execute(
            "SELECT m.name FROM sqlite_master m WHERE m.type = 'table' AND m.name NOT LIKE "
            f"'sqlite_%' AND EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND "
            f"i.tbl_name = m.name) AND NOT EXISTS ({analysed} LIMIT 1)"
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'ANALYZE "{table}"')
    state.statistics_refreshed = time.monotonic()
    return 1


def housekeeping(*, save: bool = True) -> dict[str, int]:
    """One round of the worker's upkeep; ``save=False`` leaves the saved wire to the caller
    (a batch writes it after its tasks: its first checks need not wait for it)."""
    from .cms.tasks import due_sources
    from .discovery.tasks import due_discovery
    from .distribution.beacon import drain_spool
    from .distribution.wordpress import due_pushes
    from .pickups.wirescan import save as save_wire

    domains, feeds = due_discovery()
    return {
        "requeued": requeue_abandoned(),
        "rechecks": queue_due_rechecks(),
        "partner domains to explore": domains,
        "partners' feeds and sitemaps to read": feeds,
        "story sources to poll": due_sources(),
        "WordPress pushes": due_pushes(),
        "saved wire written": int(save and save_wire()),
        "beacon views": drain_spool(),
        "statistics refreshed": refresh_statistics(),
        "partners' old re-check asks forgotten": forget_old_asks(),
    }


def forget_old_asks() -> int:
    """Partners' re-check asks older than a day (the limits look back an hour)."""
    from datetime import timedelta

    from django.utils import timezone

    from .pickups.models import RecheckAsk

    gone, _ = RecheckAsk.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    return gone


def start(every: float | None = None) -> threading.Thread:
    """Run :func:`housekeeping` now and then every ``every`` seconds, in a daemon thread."""
    seconds = settings.NEWSWIRE_HOUSEKEEPING if every is None else every

    def loop() -> None:
        stop = threading.Event()
        while True:
            try:
                done = housekeeping()
                if any(done.values()):
                    log.warning("housekeeping: %s", done)
            except Exception:  # keep going: the next round tries again
                log.exception("housekeeping failed")
            finally:
                connection.close()
            stop.wait(seconds)

    thread = threading.Thread(target=loop, name="newswire-housekeeping", daemon=True)
    thread.start()
    this_process().housekeeping = thread
    return thread
