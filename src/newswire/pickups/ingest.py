"""``newswire pickups ingest``: record the JSON lines of ``newswire scan`` or a Spark run.

Each line is recorded on its own (a bad line is named and the rest goes on), under
an observation key made of its source, place and URL, so ingesting the same file
twice, or again after an ingest that was killed half-way, records nothing twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DatabaseError

from .models import Via
from .record import BadResult, record_result


@dataclass
class IngestReport:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    def line(self) -> str:
        why = ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common())
        return (
            f"{self.lines} results: {self.created} new pickups, {self.updated} updated, "
            f"{self.unchanged} already recorded, {len(self.skipped)} skipped"
            + (f" ({why})" if why else "")
        )


def ingest(
    path: Path, *, via: str = Via.WARC_SCAN, progress: Callable[[int], Any] | None = None
) -> IngestReport:
    report = IngestReport()
    try:
        fh = path.open("rb")
    except OSError as exc:
        report.skipped.append(f"{path}: cannot read: {exc.strerror or exc}")
        report.reasons["unreadable"] += 1
        return report
    with fh:
        for lineno, raw in enumerate(fh, start=1):
            if progress is not None:
                progress(len(raw))
            if not raw.strip():
                continue
            report.lines += 1
            where = f"{path}:{lineno}"
            try:
                result = json.loads(raw.decode("utf-8"))
                done = record_result(result, via, observe=True)
            except UnicodeDecodeError as exc:
                _skip(report, where, "not_utf8", f"not UTF-8 at byte {exc.start + 1}")
            except json.JSONDecodeError as exc:
                _skip(report, where, "not_json", f"not JSON: {exc.msg} (column {exc.colno})")
            except RecursionError:
                _skip(report, where, "not_json", "JSON nested too deeply to read")
            except (BadResult, TypeError, ValueError) as exc:
                _skip(report, where, "bad_result", str(exc))
            except DatabaseError as exc:
                _skip(report, where, "database", f"not stored: {exc}")
            else:
                if done.check is None:
                    report.unchanged += 1
                elif done.created:
                    report.created += 1
                else:
                    report.updated += 1
    return report


def _skip(report: IngestReport, where: str, reason: str, message: str) -> None:
    report.skipped.append(f"{where}: {message}")
    report.reasons[reason] += 1
