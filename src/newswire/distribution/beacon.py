"""Recording beacon hits: de-duplicated per page per day, bounded per client, never lost.

A hit is one UPDATE of its (story, page, day) row; a page seen for the first time
that day is an INSERT, allowed while the client (a keyed hash of its IP address)
has added fewer than ``NEWSWIRE_BEACON_PAGES_PER_CLIENT`` pages that day, so one
client cannot fill the table with invented Referers.

If the database cannot take the write at once (SQLite busy behind a long write,
PostgreSQL restarting), the hit is appended to a spool file in the data folder
and recorded later (:func:`drain_spool`, run by the next hit that is written and
by ``newswire worker``): a pixel never answers with an error, and no hit is lost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from .models import BeaconHit

log = logging.getLogger(__name__)


def client_key(ip: str | None) -> str:
    """A keyed hash of the client's address: enough to bound it, without storing it."""
    raw = (ip or "").encode()
    return hmac.new(settings.SECRET_KEY.encode(), raw, hashlib.sha256).hexdigest()[:32]


def record_hit(
    story_id: int, page_url: str, user_agent: str, client: str, when: datetime | None = None
) -> str:
    """Count one view; return ``counted``, ``new`` or ``over_quota``. May raise OperationalError."""
    when = when or timezone.now()
    day = timezone.localdate(when)
    key = hashlib.sha1(page_url.encode(), usedforsecurity=False).hexdigest()
    same = BeaconHit.objects.filter(story_id=story_id, page_key=key, day=day)
    if same.update(hits=F("hits") + 1, last_at=when):
        return "counted"
    allowance = settings.NEWSWIRE_BEACON_PAGES_PER_CLIENT
    if BeaconHit.objects.filter(client=client, day=day).count() >= allowance:
        return "over_quota"
    try:
        with transaction.atomic():
            BeaconHit.objects.create(
                story_id=story_id, page_url=page_url, page_key=key, day=day, client=client,
                user_agent=user_agent, at=when, last_at=when,
            )  # fmt: skip
    except IntegrityError:  # another worker made the row a moment ago
        same.update(hits=F("hits") + 1, last_at=when)
        return "counted"
    return "new"


def spool_dir() -> Path:
    return Path(settings.DATA_DIR) / "beacon-spool"


def hit(story_id: int, page_url: str, user_agent: str, ip: str | None) -> str:
    """Record a hit now, or spool it when the database cannot take it at once."""
    client = client_key(ip)
    now = timezone.now()
    try:
        outcome = record_hit(story_id, page_url, user_agent, client, now)
    except OperationalError as exc:
        _spool({"story": story_id, "page": page_url, "ua": user_agent, "client": client,
                "at": now.isoformat()})  # fmt: skip
        log.warning("beacon hit spooled (database busy: %s)", exc)
        return "spooled"
    if _spooled():
        drain_spool()
    return outcome


def _spool(entry: dict[str, object]) -> None:
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(entry) + "\n").encode()
    # one file per process, appended in one write: no lock needed between workers
    fd = os.open(folder / f"{os.getpid()}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _spooled() -> bool:
    try:
        with os.scandir(spool_dir()) as entries:
            return any(entries)
    except FileNotFoundError:
        return False


def drain_spool() -> int:
    """Record every spooled hit; return how many. Safe to run in several processes at once."""
    done = 0
    try:
        with os.scandir(spool_dir()) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except FileNotFoundError:
        return 0
    for entry in entries:
        if not entry.name.endswith(".jsonl"):
            continue
        claimed = Path(entry.path).with_suffix(f".draining-{os.getpid()}")
        try:
            Path(entry.path).rename(claimed)  # atomic: one process claims each file
        except OSError:
            continue
        lines = claimed.read_text().splitlines()
        for n, line in enumerate(lines):
            try:
                e = json.loads(line)
                record_hit(e["story"], e["page"], e["ua"], e["client"],
                           datetime.fromisoformat(e["at"]))  # fmt: skip
            except OperationalError:
                _respool(lines[n:])  # still busy: keep the rest for later
                claimed.unlink()
                return done
            except (ValueError, KeyError, TypeError, IntegrityError) as exc:
                log.warning("spooled beacon hit %s:%d unreadable, dropped: %s", claimed, n + 1, exc)
                continue
            done += 1
        claimed.unlink()
    return done


def _respool(lines: list[str]) -> None:
    folder = spool_dir()
    fd = os.open(folder / f"{os.getpid()}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, "".join(f"{line}\n" for line in lines).encode())
    finally:
        os.close(fd)
