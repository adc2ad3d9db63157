"""The wire as the engine reads it, for every check made outside a batch scan (a beacon's
page, a partner's article, a re-check, "Check a URL", "why?"): opened once per process and
kept current, instead of read from the database and fingerprinted again for each page.

**One saved wire for every process.** The worker writes the wire to disk
(``$NEWSWIRE_DATA/wire.idx``, the engine's saved wire, with what it was written for
beside it in ``wire.stamp``: :func:`save`). Every process — web workers, task workers,
one-off commands — opens that file (memory-mapped: the operating system shares its pages
between them) and follows the wire's changes from the moment it was written: the stories
changed since are read from the database and kept over it (the engine's layered index),
stories gone since are hidden. No process builds the whole wire itself when a saved wire
for the current terms is there; one that finds none (the first start, new terms) builds
from the database, and the worker writes it for the others. When the worker writes it
again, each process opens the new file at its next check (one ``stat`` a check tells).

The worker writes the file again when it is missing, was written for other terms, or when
the stories changed since it was written reach ``NEWSWIRE_WIRE_REWRITE`` (so every
process's layer stays small, and a process that starts follows only a few changes).

Kept current by a stamp that costs one aggregate query and one range of an index: the
number of the wire's stories, the last change to any of them and their largest id, the
stories changed in the overlap before that change (so that a change committed late, with
an earlier stamp, is not missed: :func:`_stamp`), and the terms' last change. Anything
a story's engine form depends on (bylines, reporters, media, licences) touches the story's
``updated_at`` when it changes (``wire/cache.py``), so the stamp sees it too. When the
stamp moves, only the stories changed since the last look are read and fingerprinted again
(a correction, a new story, a withdrawal: a few), stories no longer on the wire (made drafts
again, deleted) are dropped, and the index is merged once; new terms rebuild it all.

The file and its stamp are each written beside their place and renamed into it, the file
first: a process that reads the stamp and then opens the file may find a newer file than
the stamp says, never an older one; it then reads again the stories changed between the
two, which is harmless (they are in the file already, and read again over it).
"""

from __future__ import annotations

import hashlib
import json
import os
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
from ..engine.pipeline import LayeredStories
from ..engine.saved import write_wire
from ..runtime import this_process
from ..wire.models import Story, Terms
from ..wire.ninjs import to_ninjs


@dataclass
class _Warm:
    scanner: Scanner
    stamp: tuple[Any, ...]
    terms: tuple[Any, ...]
    last: datetime | None  # the latest change read
    seen: set[str] = field(default_factory=set)  # the uris on the wire as read
    recent: dict[int, str] = field(default_factory=dict)  # changed lately, as read (times as text)
    file: tuple[int, int, int] | None = None  # the saved wire's stamp file it was opened from




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
    """The saved wire the worker keeps for every process (``.stamp`` beside it)."""
    return Path(settings.DATA_DIR) / "wire.idx"


def _database() -> str:
    return connection.alias + ":" + str(connection.settings_dict.get("NAME"))


def _terms_text(terms_stamp: tuple[Any, ...]) -> str:
    return json.dumps([str(x) for x in terms_stamp])


def _file_id(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def _open_saved(terms_stamp: tuple[Any, ...], key: str) -> _Warm | None:
    """The saved wire, as it was written, when it was written for this database and these
    terms and this process has not looked at it yet (else None: one ``stat`` tells). Its
    stamp is left empty, so that the first look follows the changes made since it was
    written."""
    stamp_file = saved_path().with_suffix(".stamp")
    file_id = _file_id(stamp_file)
    looked = this_process().wire_files
    if file_id is None or looked.get(key) == file_id:
        return None
    looked[key] = file_id
    try:
        about = json.loads(stamp_file.read_text())
        if about.get("database") != _database() or about.get("terms") != _terms_text(terms_stamp):
            return None
        opened = Scanner.saved(saved_path())
        last = datetime.fromisoformat(about["last"]) if about.get("last") else None
        recent = {int(k): str(v) for k, v in about.get("recent", {}).items()}
        seen = set(about["uris"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EngineError):
        return None  # (a file half replaced, or not ours: build, or keep what this process has)
    return _Warm(opened, (), terms_stamp, last, seen, recent, file_id)


def save(force: bool = False) -> bool:
    """Write the saved wire when it is missing, was written for other terms or another
    database, or when the stories changed since it was written reach
    ``NEWSWIRE_WIRE_REWRITE`` (the worker's housekeeping; ``force``: at once). Returns
    whether it wrote. The stamp is written beside it, after it."""
    key = _database()
    scanner()  # current as of now
    state = this_process()
    with state.wire_lock:
        warm: _Warm = state.wires[key]
        stamp_file = saved_path().with_suffix(".stamp")
        if not force and warm.file is not None and warm.file == _file_id(stamp_file):
            changed = warm.scanner.changed_since_saved
            if changed < settings.NEWSWIRE_WIRE_REWRITE:
                return False
        # what is written: the wire as this process holds it now (a copy of the layer, so
        # that checks go on while it is written)
        held = warm.scanner
        stories = (
            held.stories.frozen().each()
            if isinstance(held.stories, LayeredStories)
            else list(held.stories.values())
        )
        about = {
            "database": key,
            "terms": _terms_text(warm.terms),
            "last": warm.last.isoformat() if warm.last else None,
            "recent": {str(k): v for k, v in warm.recent.items()},
            "uris": sorted(warm.seen),
        }
    path = saved_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wire(path, held.terms, stories, held.config)
    tmp = stamp_file.with_suffix(f".stamp.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(about))
    tmp.replace(stamp_file)
    return True


def scanner(*, from_saved: bool = True) -> Scanner:
    """The wire's scanner, current as of this call: the saved wire, opened (again when
    the worker has rewritten it) and kept current over it, or, while there is none for
    these terms, built from the database and kept current. ``from_saved=False``: build
    from the database whatever is saved (``newswire index build``, which writes a wire of
    its own from the rows)."""
    key = _database()
    state = this_process()
    with state.wire_lock:
        stamp, terms_stamp, recent = _stamp()
        warm: _Warm | None = state.wires.get(key)
        opened = _open_saved(terms_stamp, key) if from_saved else None
        if opened is not None:
            warm = state.wires[key] = opened
        if warm is None or warm.terms != terms_stamp or (not from_saved and warm.file):
            built = build()
            warm = _Warm(built, stamp, terms_stamp, stamp[1], set(built.stories), recent)
            state.wires[key] = warm
            return warm.scanner
        if warm.stamp == stamp:
            return warm.scanner
        terms_row = Terms.current()
        terms = terms_from_dict(terms_row.to_dict())[0]
        # the stories changed since the last look (a few; all of them if the wire was empty
        # then): read again, or dropped if they left the wire (made drafts again), and those
        # that committed late, with a stamp no later than the last one read
        late = [pk for pk, at in recent.items() if warm.recent.get(pk) != at]
        since = Story.objects.all()
        if warm.last is not None:
            since = since.filter(Q(updated_at__gt=warm.last) | Q(pk__in=late))
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
    """Drop this process's wire (tests; a restore of the database under it)."""
    state = this_process()
    with state.wire_lock:
        state.wires.clear()
        state.wire_files.clear()
