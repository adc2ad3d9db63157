"""Recording beacon hits: de-duplicated per page per day, bounded per client, never lost.

A view of a copy is one line appended to this process's spool file in the data
folder (``beacon-spool/<pid>.jsonl``): no database write on the request path,
so a pixel answers in the time it takes to append a line, whatever the database
is doing (SQLite busy behind an import, PostgreSQL restarting). A thread in each
web worker records the spool every ``NEWSWIRE_BEACON_FLUSH_SECONDS`` (1 s): the
views of one page are added up first, so a copy seen a thousand times in that
second costs one UPDATE, not a thousand. A spool the database cannot take yet
stays on disk and is tried again; a spool left by a process that died is
recorded by the next one that flushes, or by ``newswire worker``. With
``NEWSWIRE_BEACON_FLUSH_SECONDS=0`` each view is written at once instead (and
spooled only when the database refuses it).

Rows: one per (story, page, day) with a count. A page seen for the first time that
day is added while the client (a keyed hash of its IP address) has added fewer
than ``NEWSWIRE_BEACON_PAGES_PER_CLIENT`` pages that day, so one client cannot
fill the table with invented Referers; views of pages already there always count.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import logging
import os
import threading
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import BeaconHit

log = logging.getLogger(__name__)


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


def hit(story_id: int, page_url: str, user_agent: str, ip: str | None) -> str:
    """Take one view of a copy; return ``queued`` (or, written at once, the outcome)."""
    view = View(story_id, page_url, user_agent, client_key(ip), timezone.now())
    spool = _Spool.get()
    if settings.NEWSWIRE_BEACON_FLUSH_SECONDS <= 0:
        try:
            outcome = record([view])
        except DatabaseError as exc:
            log.warning("beacon hit spooled (database busy: %s)", exc)
        else:
            if spool.path.exists():  # views spooled while the database was busy
                spool.flush()
            return outcome
    spool.append(view)
    return "queued"


def record(views: list[View]) -> str:
    """Write views to the database, the views of one page on one day added up first.

    Return the last outcome (``counted``, ``new`` or ``over_quota``). May raise
    DatabaseError, having written nothing of the batch (one transaction).
    """
    counts: Counter[tuple[int, str, date]] = Counter()
    first: dict[tuple[int, str, date], View] = {}
    for v in views:
        day = timezone.localdate(v.at)
        key = (v.story, hashlib.sha1(v.page.encode(), usedforsecurity=False).hexdigest(), day)
        counts[key] += 1
        first.setdefault(key, v)
    outcome = "counted"
    with transaction.atomic():
        for key, n in counts.items():
            outcome = _add(key, n, first[key])
    return outcome


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
    return "new"


def spool_dir() -> Path:
    return Path(settings.DATA_DIR) / "beacon-spool"


def drain_spool() -> int:
    """Record this process's spool and any spool a dead process left; return views recorded."""
    return _Spool.get().flush(others=True)


class _Spool:
    """This process's spool file, and the thread that records it."""

    _instance: _Spool | None = None
    _made = threading.Lock()

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.path = spool_dir() / f"{self.pid}.jsonl"
        self.thread: threading.Thread | None = None

    @classmethod
    def get(cls) -> _Spool:
        with cls._made:
            if cls._instance is None or cls._instance.pid != os.getpid():  # new after a fork
                cls._instance = _Spool()
                atexit.register(cls._instance.flush)
            return cls._instance

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
        """Record the spool (own, and with ``others`` those of dead processes)."""
        claimed: list[Path] = []
        with self.lock:  # no append may land in a file once it is claimed
            if self.path.exists():
                target = self.path.with_name(f"{self.pid}.{timezone.now().timestamp()}.claimed")
                self.path.rename(target)
                claimed.append(target)
        if others:
            claimed += self._orphans()
        done = 0
        for path in claimed:
            done += self._record_file(path)
        return done

    def _orphans(self) -> list[Path]:
        found = []
        try:
            entries = list(spool_dir().iterdir())
        except FileNotFoundError:
            return []
        for path in entries:
            pid_text = path.name.split(".", 1)[0]
            if not pid_text.isdigit() or int(pid_text) == self.pid or _alive(int(pid_text)):
                continue
            target = path.with_name(f"{self.pid}.{path.name}.adopted")
            try:
                path.rename(target)  # atomic: one process adopts each file
            except OSError:
                continue
            found.append(target)
        return found

    def _record_file(self, path: Path) -> int:
        views = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                story, page, agent, client, at = json.loads(line)
                views.append(View(int(story), str(page), str(agent), str(client),
                                  datetime.fromisoformat(at)))  # fmt: skip
            except (ValueError, TypeError) as exc:  # a line cut by a crash mid-write
                log.warning("beacon spool %s line %d unreadable, left out: %s", path, n, exc)
        try:
            if views:
                record(views)
        except DatabaseError as exc:
            log.warning("beacon spool %s kept for later (database: %s)", path, exc)
            return 0  # the claimed file stays: _orphans takes it again once this process ends
        path.unlink()
        return len(views)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
