"""What each newswire process keeps for itself, all of it here.

The engine (``newswire.engine``) keeps no state: a scan's answer depends only on what it is
given. Its module-level objects are the compiled parts it loads once (the walk, the sift,
the sheet reader: ``newswire --version`` names them) and bounded memo caches of pure
functions (``functools.lru_cache``, the stylesheet cache of ``engine.styles``), which give
the same answer with them or without.

The rest of newswire is a Django project: a web worker or a task worker lives for hours,
and keeps a few things between one request or task and the next. Every one of them is in
:class:`Process` below, with who fills it; none holds anything that is not also in the
database or on disk, so a process that stops loses nothing. What several processes must
agree on is not here: it is in the database (the task queue, each host's turn, the API rate
counts, the beacon's views) or in the shared cache (Redis in production: rendered pages,
the beacon's repeat window); docs/deploy.md, "Several machines", says which.

A child made by ``fork`` (gunicorn's workers, started from its master) starts with a state
of its own: :func:`this_process` makes it anew when the process id changes, so no two
processes share a lock, a thread or a half-filled cache by accident.

Pure Python and no Django: the safe fetcher and the Spark job may use it too.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Process:
    """This process's own state (see the module's docstring)."""

    pid: int = field(default_factory=os.getpid)

    # pickups.wirescan: the wire this process follows, per database ("alias:name"), opened
    # from the worker's saved wire or built from the rows; the saved wire's stamp file last
    # looked at (inode, mtime, size); the lock both are read and changed under
    wires: dict[str, Any] = field(default_factory=dict)
    wire_files: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    wire_lock: threading.Lock = field(default_factory=threading.Lock)

    # pickups.check: robots.txt per origin as this process last read it (kept an hour)
    robots: dict[str, tuple[float, Any]] = field(default_factory=dict)

    # pickups.looks: a checked page's linked stylesheets and its pictures' perceptual hashes,
    # by URL: (kept until, value), at most pickups.looks._KEPT_MAX of each
    sheets: dict[str, tuple[float, str | None]] = field(default_factory=dict)
    picture_hashes: dict[str, tuple[float, int | None]] = field(default_factory=dict)

    # distribution.access: API requests counted here and not yet added to the database's
    # count, and the database's count when this process last added to it, per (key, minute)
    api_counted: dict[tuple[str, datetime], int] = field(default_factory=dict)
    api_written: dict[tuple[str, datetime], int] = field(default_factory=dict)
    api_lock: threading.Lock = field(default_factory=threading.Lock)

    # distribution.beacon: this process's spool (its file and the thread that records it)
    spool: Any = None
    spool_lock: threading.Lock = field(default_factory=threading.Lock)

    # spark.job: the scanner over each saved wire, opened once per Spark worker process
    scanners: dict[str, Any] = field(default_factory=dict)

    # housekeeping: the worker's upkeep thread, and when SQLite's statistics were refreshed
    housekeeping: threading.Thread | None = None
    statistics_refreshed: float = 0.0


_THIS = Process()
_MADE = threading.Lock()


def this_process() -> Process:
    """This process's state (made anew in a child after a fork)."""
    global _THIS
    if _THIS.pid != os.getpid():
        with _MADE:
            if _THIS.pid != os.getpid():
                _THIS = Process()
    return _THIS


def forget() -> None:
    """Drop what this process keeps of the wire and of the pages it fetched (tests, and a
    database restored under a running process); threads and the spool carry on."""
    state = this_process()
    with state.wire_lock:
        state.wires.clear()
        state.wire_files.clear()
    state.robots.clear()
    state.sheets.clear()
    state.picture_hashes.clear()
