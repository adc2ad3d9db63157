"""Recording beacon hits: de-duplicated per page per day, bounded per client, never lost.

A view of a copy is one line appended to this process's spool file in the data
folder (``beacon-spool/<pid>.jsonl``): no database write on the request path,
so a pixel answers in the time it takes to append a line, whatever the database
is doing (SQLite busy behind an import, PostgreSQL restarting). A thread in each
web worker records the spool every ``NEWSWIRE_BEACON_FLUSH_SECONDS`` (1 s): the
views of one page are added up first, so a copy seen a thousand times in that
second costs one UPDATE, not a thousand.

Nothing is lost while every process lives: the rows of a batch are written in one
fixed order (sorted by story, page and day), so two workers flushing at once
cannot deadlock each other on PostgreSQL; a batch that still fails on a passing
fault (a deadlock, SQLite busy past its time-out) is tried again; a claimed file
the database would not take stays on disk and its owner tries it again at its next
flush, and any flush takes it over once it is ``STALE_SECONDS`` old. A spool left
by a process that died is recorded by the next one that flushes, or by
``newswire worker``. A file lock keeps two processes from recording one file. With
``NEWSWIRE_BEACON_FLUSH_SECONDS=0`` each view is written at once instead (and
spooled only when the database refuses it).

Rows: one per (story, page, day) with a count. A page seen for the first time that
day is added while the client (a keyed hash of its IP address) has added fewer
than ``NEWSWIRE_BEACON_PAGES_PER_CLIENT`` pages that day, so one client cannot
fill the table with invented Referers; views of pages already there always count.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import hmac
import json
import logging
import os
import random
import threading
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..events import page_showed_beacon
from ..runtime import this_process
from ..wire.models import Story
from .models import BeaconHit

log = logging.getLogger(__name__)

#: a batch that lost a deadlock (or found SQLite busy) is tried this many times in all
RETRIES = 5
#: another live process's claimed spool file is recorded by any flush once it is this old:
#: its owner has failed to record it for that long (it tries again every flush itself)
STALE_SECONDS = 5.0


class View(NamedTuple):
    story: int
    page: str
    user_agent: str
    client: str
    at: datetime


def client_key(ip: str | None) -> str:
    """A keyed hash of the client's address: enough to bound it, without storing it."""
    raw = (ip or "").encode()
    return hmac.new(settings.SECRET_KEY.encode(), raw, hashlib.sha256).hexdigest()[:32]


def hit(story_id: int, page_url: str, user_agent: str, ip: str | None, *, client: str = "") -> str:
    """Take one view of a copy; return ``queued`` (or, written at once, the outcome).
    ``client``: the request's :func:`client_key`, when the caller has it already."""
    view = View(story_id, page_url, user_agent, client or client_key(ip), timezone.now())
    spool = _Spool.get()
    if settings.NEWSWIRE_BEACON_FLUSH_SECONDS <= 0:
        try:
            outcome = record([view], known_stories={story_id})  # the view just checked it
        except DatabaseError as exc:
            log.warning("beacon hit spooled (database busy: %s)", exc)
        else:
            if spool.path.exists():  # views spooled while the database was busy
                spool.flush()
            return outcome
    spool.append(view)
    return "queued"


def record(views: list[View], *, known_stories: set[int] | None = None) -> str:
    """Write views to the database, the views of one page on one day added up first.

    Return the last outcome (``counted``, ``new`` or ``over_quota``). May raise
    DatabaseError, having written nothing of the batch (one transaction).
    """
    counts: Counter[tuple[int, str, date]] = Counter()
    first: dict[tuple[int, str, date], View] = {}
    stories = {v.story for v in views}
    known = (
        known_stories
        if known_stories is not None
        else set(Story.objects.filter(pk__in=stories).values_list("pk", flat=True))
    )
    if known != stories:  # deleted since the view (a spool can be older than a deletion)
        log.warning("beacon: %d views of deleted stories left out",
                    sum(v.story not in known for v in views))  # fmt: skip
    for v in views:
        if v.story not in known:
            continue
        day = timezone.localdate(v.at)
        key = (v.story, hashlib.sha1(v.page.encode(), usedforsecurity=False).hexdigest(), day)
        counts[key] += 1
        first.setdefault(key, v)
    keys = sorted(counts)  # one fixed order: two flushes lock the same rows in the same order
    for attempt in range(1, RETRIES + 1):
        outcome = "counted"
        try:
            with transaction.atomic():
                for key in keys:
                    outcome = _add(key, counts[key], first[key])
        except OperationalError as exc:
            # a deadlock lost, a serialisation failure, SQLite busy past its timeout: the
            # transaction rolled back whole, so the batch is simply tried again
            if attempt == RETRIES or connection.in_atomic_block:
                raise
            log.info("beacon batch of %d views tried again (%s)", len(views), exc)
            time.sleep(random.uniform(0.05, 0.25) * attempt)
        else:
            return outcome
    raise AssertionError("unreachable")  # pragma: no cover


def _add(key: tuple[int, str, date], n: int, view: View) -> str:
    story_id, page_key, day = key
    same = BeaconHit.objects.filter(story_id=story_id, page_key=page_key, day=day)
    if same.update(hits=F("hits") + n, last_at=view.at):
        return "counted"
    allowance = settings.NEWSWIRE_BEACON_PAGES_PER_CLIENT
    if BeaconHit.objects.filter(client=view.client, day=day).count() >= allowance:
        return "over_quota"
    try:
        with transaction.atomic():
            BeaconHit.objects.create(
                story_id=story_id, page_url=view.page, page_key=page_key, day=day, hits=n,
                client=view.client, user_agent=view.user_agent, at=view.at, last_at=view.at,
            )  # fmt: skip
    except IntegrityError:  # another process made the row a moment ago
        same.update(hits=F("hits") + n, last_at=view.at)
        return "counted"
    # (the pickups app checks the page: newswire/events.py)
    page_showed_beacon.send(sender=BeaconHit, story_id=story_id, page_url=view.page)
    return "new"


def spool_dir() -> Path:
    return Path(settings.DATA_DIR) / "beacon-spool"


def drain_spool() -> int:
    """Record this process's spool and any spool a dead process left; return views recorded."""
    return _Spool.get().flush(others=True)


class _Spool:
    """This process's spool file, and the thread that records it (``newswire.runtime``)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.path = spool_dir() / f"{self.pid}.jsonl"
        self.thread: threading.Thread | None = None

    @classmethod
    def get(cls) -> _Spool:
        state = this_process()  # (made anew after a fork: a child gets a spool of its own)
        with state.spool_lock:
            if state.spool is None:
                state.spool = _Spool()
                atexit.register(state.spool.flush)
            spool: _Spool = state.spool
            return spool

    def append(self, view: View) -> None:
        line = json.dumps([view.story, view.page, view.user_agent, view.client,
                           view.at.isoformat()]) + "\n"  # fmt: skip
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:  # one write: a whole line
                fh.write(line)
        if self.thread is None and settings.NEWSWIRE_BEACON_FLUSH_SECONDS > 0:
            self.thread = threading.Thread(target=self._run, name="beacon-spool", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        seconds = settings.NEWSWIRE_BEACON_FLUSH_SECONDS
        while True:
            threading.Event().wait(seconds)
            try:
                self.flush(others=True)
            except Exception:  # keep the thread alive; the spool stays on disk
                log.exception("recording the beacon spool failed; will try again")
            finally:
                connection.close()  # this thread's own connection

    def flush(self, others: bool = False) -> int:
        """Record the spool, and any claimed file of this process that a busy database
        left; with ``others``, also the spools of dead processes and the claimed files of
        live ones that have waited more than ``STALE_SECONDS``."""
        with self.lock:  # no append may land in a file once it is claimed
            if self.path.exists():
                self.path.rename(self._claim_name())
        done = 0
        for path in self._waiting(others):
            done += _record_file(path)
        return done

    def _claim_name(self) -> Path:
        return self.path.with_name(f"{self.pid}.{time.time_ns()}.claimed")

    def _waiting(self, others: bool) -> list[Path]:
        """The claimed files to record now, oldest first."""
        try:
            entries = sorted(spool_dir().iterdir(), key=lambda p: p.name)
        except FileNotFoundError:
            return []
        found = []
        now = time.time()
        for path in entries:
            pid_text, _, rest = path.name.partition(".")
            if not pid_text.isdigit():
                continue
            pid = int(pid_text)
            if pid == self.pid:
                if rest != "jsonl":  # our own claimed file, left by a failed flush
                    found.append(path)
                continue
            if not others:
                continue
            if rest == "jsonl":  # another process's live spool: only once it is dead
                if _alive(pid):
                    continue
                target = self._claim_name()
                try:
                    path.rename(target)  # atomic: one process adopts each file
                except OSError:
                    continue
                found.append(target)
                continue
            # another process's claimed file: its owner records it, unless the owner died
            # or has been failing at it for a while (a lost deadlock, SQLite busy). The
            # file lock in _record_file keeps two processes from recording it at once.
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue
            if age >= STALE_SECONDS or not _alive(pid):
                found.append(path)
        return found


def _record_file(path: Path) -> int:
    """Record one claimed spool file and delete it; 0 if another process holds it, or took
    it, or the database refused it (the file stays, to be tried again)."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 -- closed below, after the unlink
    except FileNotFoundError:
        return 0  # recorded and removed by another process a moment ago
    with fh:
        try:
            # Held while the file is recorded and deleted: a process that opened it too
            # cannot record it twice. (flock, not a database row: the spool exists for the
            # times the database is busy.)
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # being recorded right now by another flush
        try:
            if path.stat().st_ino != os.fstat(fh.fileno()).st_ino:
                return 0
        except FileNotFoundError:
            return 0  # recorded and deleted while this process waited to open it
        views = _read_views(path, fh.read().decode("utf-8", "replace"))
        try:
            if views:
                record(views)
        except DatabaseError as exc:
            log.warning("beacon spool %s kept for later (database: %s)", path, exc)
            os.utime(fh.fileno())  # its age counts from this try: others adopt it later
            return 0
        path.unlink()
    return len(views)


def _read_views(path: Path, text: str) -> list[View]:
    views = []
    for n, line in enumerate(text.splitlines(), start=1):
        try:
            story, page, agent, client, at = json.loads(line)
            views.append(View(int(story), str(page), str(agent), str(client),
                              datetime.fromisoformat(at)))  # fmt: skip
        except (ValueError, TypeError) as exc:  # a line cut by a crash mid-write
            log.warning("beacon spool %s line %d unreadable, left out: %s", path, n, exc)
    return views


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
