"""`newswire worker`'s housekeeping: abandoned tasks run again, re-checks are queued once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from newswire.distribution.snippet import snippet_html
from newswire.housekeeping import queue_due_rechecks, requeue_abandoned
from newswire.pickups.models import Pickup
from newswire.pickups.record import record_result
from newswire.pickups.tasks import check_page

from .distribution.test_notices import run_worker
from .fakesite import fake_site, html


def test_a_task_a_dead_worker_claimed_runs_again(db):
    result = check_page.enqueue("https://example.org/a")
    row = DBTaskResult.objects.get(id=result.id)
    row.claim("worker-that-died")
    assert requeue_abandoned(timedelta(minutes=15)) == 0  # still in its time
    DBTaskResult.objects.filter(id=row.id).update(started_at=timezone.now() - timedelta(hours=1))
    assert requeue_abandoned(timedelta(minutes=15)) == 1
    assert DBTaskResult.objects.get(id=row.id).status == TaskResultStatus.READY


def test_rechecks_after_one_and_seven_days_are_queued_once_and_run(
    make_story, wire_terms, settings
):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    with fake_site() as site:
        site.route("/copy", html(snippet_html(story)))
        url = f"{site.url}/copy"
        found = record_result(
            {"url": url, "story": story.uri, "kind": "pickup", "coverage": 0.9,
             "checks": {"logo": False}, "compliant": False}, "warc_scan",
        )  # fmt: skip
        now = timezone.now()
        assert queue_due_rechecks(now) == 0  # found just now
        assert queue_due_rechecks(now + timedelta(days=1, minutes=1)) == 1
        assert queue_due_rechecks(now + timedelta(days=2)) == 0  # queued once
        run_worker()
        assert queue_due_rechecks(now + timedelta(days=7, minutes=1)) == 1
    pickup = Pickup.objects.get(pk=found.pickup.pk)
    assert pickup.rechecks == 2
    history = list(pickup.history.order_by("at").values_list("via", "changes"))
    assert history[0] == ("warc_scan", ["found"])
    assert history[1][0] == "recheck" and "fixed" in history[1][1]


def test_tables_without_statistics_are_analysed(db, wire_terms, make_story):
    """SQLite's PRAGMA optimize passes over a table with no statistics at all (one a
    migration rebuilt): the hourly refresh analyses it, so the planner has them."""
    from django.db import connection

    from newswire.housekeeping import refresh_statistics

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum analyses its tables")
    story = make_story()
    for n in range(3):
        record_result({"url": f"https://site{n}.example/a", "story": story.uri, "kind": "pickup",
                       "coverage": 1.0, "checks": {}, "compliant": True}, "warc_scan")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'pickups_pickup'")
        assert refresh_statistics(every=0) == 1
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'pickups_pickup'")
        assert cursor.fetchone()[0] > 0
