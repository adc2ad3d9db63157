"""The wire as the engine reads it, for every check made outside a batch scan (a beacon's
page, a partner's article, a re-check, "Check a URL", "why?"): built once per process and
kept current, instead of read from the database and fingerprinted again for each page.

Kept current by a stamp that costs one aggregate query and one range of an index: the
number of the wire's stories, the last change to any of them and their largest id, the
stories changed in the overlap before that change (so that a change committed late, with
an earlier stamp, is not missed: :func:`_stamp`), and the terms' last change. Anything
a story's engine form depends on (bylines, reporters, media, licences) touches the story's
``updated_at`` when it changes (``wire/cache.py``), so the stamp sees it too. When the
stamp moves, only the stories changed since the last look are read and fingerprinted again
(a correction, a new story, a withdrawal: a few), stories no longer on the wire (made drafts
again, deleted) are dropped, and the index is merged once; new terms rebuild it all.

One per process and database, behind a lock: web workers and ``newswire worker`` each keep
their own. The worker also writes it to disk (``$NEWSWIRE_DATA/wire.idx``, the engine's
saved wire, with the stamp it was made for beside it) when the wire changes, so that a
one-off process (``newswire check URL``) opens it in a fraction of a second instead of
building its own.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Count, Max, Q
from django.db.models.functions import Cast

from ..engine import Scanner, story_from_ninjs, terms_from_dict
from ..engine.errors import EngineError
from ..engine.saved import write_wire
from ..wire.models import Story, Terms
from ..wire.ninjs import to_ninjs

_LOCK = threading.Lock()


@dataclass
class _Warm:
    scanner: Scanner
    stamp: tuple[Any, ...]
    terms: tuple[Any, ...]
    last: datetime | None  # the latest change read
    seen: set[str] = field(default_factory=set)  # the uris on the wire as read
    recent: dict[int, str] = field(default_factory=dict)  # changed lately, as read (times as text)


_WARM: dict[str, _Warm] = {}


def _on_wire() -> Any:
    """The stories the engine looks for (withdrawn ones too: their copies matter most)."""
    return Story.objects.exclude(status=Story.Status.DRAFT)


def _stamp() -> tuple[tuple[Any, ...], tuple[Any, ...], dict[int, str]]:
    """(the wire's stamp, the terms', the stories changed lately: id -> updated_at).

    ``updated_at`` is stamped by the application's clock before the transaction commits,
    so a change can become visible after another one with a later stamp (two editors, a
    worker and an import at once). The stamp therefore also covers every story changed in
    the ``NEWSWIRE_WIRE_OVERLAP`` seconds before the latest change (a digest of their ids
    and times): one that commits late, with an earlier stamp, changes the digest, and
    :func:`scanner` reads it again. The overlap must be longer than the longest transaction
    that writes stories (an import commits every thousand; an edit at once)."""
    # over every story, drafts too, so that the indexes answer it (updated_at's, the key's)
    row = Story.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    terms = Terms.current()
    recent: dict[int, str] = {}
    if row["last"] is not None:
        cutoff = row["last"] - timedelta(seconds=settings.NEWSWIRE_WIRE_OVERLAP)
        # the times as the database writes them (text: no datetime made of each, which was
        # most of a check's time in the minutes after an import of thousands)
        recent = dict(
            Story.objects.filter(updated_at__gte=cutoff)
            .annotate(at=Cast("updated_at", CharField()))
            .values_list("pk", "at")
        )
    digest = hashlib.sha256(repr(sorted(recent.items())).encode()).hexdigest()[:16]
    return (row["n"], row["last"], row["top"], digest), (terms.pk, terms.updated_at), recent


def _engine_stories(rows: Any, terms_row: Terms, terms: Any) -> list[Any]:
    rows = rows.prefetch_related("bylines__reporter", "media__licence")
    return [story_from_ninjs(to_ninjs(s, terms_row), terms) for s in rows.iterator(chunk_size=500)]


def saved_path() -> Path:
    """The saved wire ``newswire worker`` keeps for cold starts (``newswire check``)."""
    return Path(settings.DATA_DIR) / "wire.idx"


def _stamp_text(stamp: tuple[Any, ...], terms_stamp: tuple[Any, ...]) -> str:
    return json.dumps([str(x) for x in (*stamp, *terms_stamp)])


def _open_saved(stamp: tuple[Any, ...], terms_stamp: tuple[Any, ...]) -> Scanner | None:
    """The saved wire, if the worker wrote it for the wire as it is now (else None)."""
    path = saved_path()
    try:
        if path.with_suffix(".stamp").read_text() != _stamp_text(stamp, terms_stamp):
            return None
        return Scanner.saved(path)
    except (OSError, EngineError):
        return None


def save(force: bool = False) -> bool:
    """Write the saved wire when the wire changed since it was last written (the worker's
    housekeeping). Returns whether it wrote. The stamp is written beside it, after it: a
    reader that finds the two different builds its own."""
    stamp, terms_stamp, _recent = _stamp()
    path = saved_path()
    text = _stamp_text(stamp, terms_stamp)
    stamp_file = path.with_suffix(".stamp")
    try:
        if not force and stamp_file.read_text() == text:
            return False
    except OSError:
        pass
    warm = scanner()
    if not isinstance(warm.stories, dict):
        return False  # (this process reads the saved wire itself: nothing newer to write)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wire(path, warm.terms, list(warm.stories.values()), warm.config)
    tmp = stamp_file.with_suffix(".stamp.tmp")
    tmp.write_text(text)
    tmp.replace(stamp_file)
    return True


def scanner(*, cold_from_saved: bool = False) -> Scanner:
    """The wire's scanner, current as of this call. ``cold_from_saved``: a process that
    does not write the saved wire (``newswire check``, the web server's checks and why?)
    may open the worker's instead of building one, when it was written for the wire as it
    is now. The worker itself builds its own, and writes it."""
    key = connection.alias + ":" + str(connection.settings_dict.get("NAME"))
    with _LOCK:
        stamp, terms_stamp, recent = _stamp()
        warm = _WARM.get(key)
        if warm is not None and warm.stamp == stamp and warm.terms == terms_stamp:
            return warm.scanner
        # a process that never built its own (a one-off command, a web worker) may open the
        # worker's saved wire when it was written for the wire as it is now; a saved wire
        # is read-only, so when the wire moves it is opened anew if the worker has written
        # it again, and built from the database (then kept current here) if not
        if cold_from_saved and (warm is None or warm.last is None):
            opened = _open_saved(stamp, terms_stamp)
            if opened is not None:
                _WARM[key] = _Warm(opened, stamp, terms_stamp, None)
                return opened
        if warm is None or warm.terms != terms_stamp or warm.last is None:
            built = build()
            warm = _Warm(built, stamp, terms_stamp, stamp[1], set(built.stories), recent)
            _WARM[key] = warm
            return warm.scanner
        terms_row = Terms.current()
        terms = terms_from_dict(terms_row.to_dict())[0]
        # the stories changed since the last look (a few): read again, or dropped if they
        # left the wire (made drafts again)
        # and those that committed late, with a stamp no later than the last one read
        late = [pk for pk, at in recent.items() if warm.recent.get(pk) != at]
        since = Story.objects.filter(Q(updated_at__gt=warm.last) | Q(pk__in=late))
        gone = set(since.filter(status=Story.Status.DRAFT).values_list("uri", flat=True))
        fresh = _engine_stories(since.exclude(status=Story.Status.DRAFT), terms_row, terms)
        removed = [uri for uri in gone if uri in warm.seen]
        seen = (warm.seen - gone) | {s.uri for s in fresh}
        if len(seen) != _on_wire().count():  # a story deleted: find which, by the uris
            now = set(_on_wire().values_list("uri", flat=True))
            removed += list(seen - now)
            seen &= now
        warm.scanner.update(fresh, removed)
        warm.seen, warm.stamp, warm.last, warm.recent = seen, stamp, stamp[1], recent
        return warm.scanner


def build() -> Scanner:
    """The wire's scanner made from scratch from the database (the warm wire's first build;
    not kept by itself: what each check did before the warm wire)."""
    terms_row = Terms.current()
    terms = terms_from_dict(terms_row.to_dict())[0]
    return Scanner(_engine_stories(_on_wire(), terms_row, terms), terms)


def forget() -> None:
    """Drop every process's warm wire (tests; a restore of the database under it)."""
    with _LOCK:
        _WARM.clear()
