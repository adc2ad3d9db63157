"""``newswire scan`` and the demo's scan: the engine over WARC files and folders, each match
recorded as a pickup as it comes (one scan-then-record loop for both)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections

from ..engine import Scanner, Summary, scan_inputs
from ..engine.types import Match, Skip
from .models import Via
from .record import BadResult, record_match, result_key


class Recorder:
    """Records the matches of a scan as they come (each on its own: a scan killed half-way
    keeps what it recorded, and running it again records nothing twice)."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.failed = 0

    def record(self, match: Match) -> str:
        """Record one match; return "" or why it was not recorded."""
        try:
            done = record_match(match, Via.WARC_SCAN, observation=result_key(match))
        except (BadResult, DatabaseError) as exc:
            self.failed += 1
            return f"{match.url}: {exc}"
        self.outcomes["already recorded" if done.check is None
                      else "new" if done.created else "updated"] += 1  # fmt: skip
        return ""

    def line(self) -> str:
        parts = [f"{n} {what}" for what, n in self.outcomes.most_common()]
        if self.failed:
            parts.append(f"{self.failed} not recorded")
        return ", ".join(parts) or "none"


def scan_and_record(
    scanner: Scanner,
    inputs: Iterable[Path],
    recorder: Recorder | None,
    *,
    workers: int = 1,
    summary: Summary | None = None,
    progress: Callable[[int], Any] | None = None,
) -> Iterator[tuple[Match | Skip, str]]:
    """Scan ``inputs`` and record each match with ``recorder`` (None: only scan), yielding
    each match or skip with "" or why the match was not recorded."""
    if workers > 1:
        connections.close_all()  # the scan's workers fork: none may inherit a connection
    for item in scan_inputs(scanner, list(inputs), workers=workers, summary=summary,
                            progress=progress):  # fmt: skip
        why = recorder.record(item) if recorder is not None and isinstance(item, Match) else ""
        yield item, why
