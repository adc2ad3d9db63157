"""The beacon's spool when the database is busy or a flush loses: nothing is lost while every
process lives, and nothing is counted twice."""

from __future__ import annotations

import fcntl
import json
import os
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from newswire.distribution import beacon
from newswire.distribution.models import BeaconHit
from newswire.runtime import this_process


@pytest.fixture
def spool(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.NEWSWIRE_BEACON_FLUSH_SECONDS = 3600  # no flusher thread; the test flushes
    this_process().spool = None
    yield beacon.spool_dir()
    this_process().spool = None


def _write_claimed(folder, pid: int, story: int, pages: list[str], age: float = 0):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}.{time.time_ns()}.claimed"
    now = timezone.now().isoformat()
    path.write_text("".join(json.dumps([story, p, "Mozilla/5.0", "c1", now]) + "\n"
                            for p in pages))  # fmt: skip
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def _hits() -> int:
    return sum(BeaconHit.objects.values_list("hits", flat=True))


def test_a_live_process_s_claimed_file_is_taken_over_once_it_is_stale(spool, make_story):
    """The probe's lost views: a worker's claimed file that its flush could not record
    (a lost deadlock, SQLite busy) while the worker lives on."""
    story = make_story()
    alive = os.getppid()  # a process that is certainly alive, and not this one
    fresh = _write_claimed(spool, alive, story.pk, ["https://a.example/1"] * 3)
    stale = _write_claimed(spool, alive, story.pk, ["https://a.example/2"] * 4,
                           age=beacon.STALE_SECONDS + 1)  # fmt: skip
    assert beacon.drain_spool() == 4
    assert fresh.exists() and not stale.exists() and _hits() == 4


def test_the_owner_tries_its_own_claimed_file_again_at_its_next_flush(spool, make_story,
                                                                     monkeypatch):  # fmt: skip
    story = make_story()
    beacon.hit(story.pk, "https://a.example/x", "Mozilla/5.0", "203.0.113.1")
    beacon.hit(story.pk, "https://a.example/x", "Mozilla/5.0", "203.0.113.1")
    real = beacon.record

    def busy(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(beacon, "record", busy)
    assert beacon._Spool.get().flush() == 0
    [claimed] = list(spool.iterdir())
    assert claimed.name.endswith(".claimed") and _hits() == 0
    monkeypatch.setattr(beacon, "record", real)
    assert beacon._Spool.get().flush() == 2  # own, without waiting to be stale or dead
    assert list(spool.iterdir()) == [] and _hits() == 2


def test_a_file_another_process_is_recording_is_left_to_it(spool, make_story):
    story = make_story()
    path = _write_claimed(spool, os.getppid(), story.pk, ["https://a.example/1"], age=60)
    with open(path, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the other process's _record_file holds it
        assert beacon.drain_spool() == 0
        assert path.exists() and _hits() == 0
    assert beacon.drain_spool() == 1 and _hits() == 1


@pytest.mark.django_db(transaction=True)  # the retry needs the batch's own transaction
def test_a_lost_deadlock_is_tried_again_and_counted_once(spool, make_story, monkeypatch):
    story = make_story()
    real, calls = beacon._add, []

    def deadlock_once(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 2:  # half-way through the batch: all of it rolls back
            raise OperationalError("deadlock detected")
        return real(*args, **kwargs)

    monkeypatch.setattr(beacon, "_add", deadlock_once)
    monkeypatch.setattr(beacon.time, "sleep", lambda s: None)
    views = [beacon.View(story.pk, f"https://a.example/{n % 3}", "UA", "c", timezone.now())
             for n in range(9)]  # fmt: skip
    beacon.record(views)
    assert _hits() == 9 and sorted(BeaconHit.objects.values_list("hits", flat=True)) == [3, 3, 3]
    assert calls[2:] == sorted(set(calls))  # the whole batch again, in key order


def test_rows_are_written_in_one_order_whatever_order_the_views_came_in(spool, make_story,
                                                                       monkeypatch):  # fmt: skip
    a, b = make_story(), make_story(headline="Another story")
    seen: list[list[tuple]] = []
    real = beacon._add

    def spy(key, n, view):
        seen[-1].append(key)
        return real(key, n, view)

    monkeypatch.setattr(beacon, "_add", spy)
    pages = [(a.pk, "https://x.example/1"), (b.pk, "https://x.example/2"), (a.pk, "https://z/3")]
    for order in (pages, pages[::-1]):
        seen.append([])
        beacon.record([beacon.View(s, p, "UA", "c", timezone.now()) for s, p in order])
    assert seen[0] == seen[1] == sorted(seen[0])


def test_views_of_a_story_deleted_since_are_left_out_and_the_rest_counted(spool, make_story):
    keep, gone = make_story(), make_story(headline="Deleted later")
    _write_claimed(spool, os.getpid(), keep.pk, ["https://a.example/1"] * 2)
    _write_claimed(spool, os.getpid(), gone.pk, ["https://a.example/2"] * 2)
    gone.delete()
    beacon.drain_spool()
    assert list(spool.iterdir()) == [] and _hits() == 2
