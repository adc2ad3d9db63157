"""Time to correct: for every copy after a correction or a withdrawal, when its publisher
was told and when a check first saw the copy carry the change (``CorrectionWatch``); the
re-checks that follow a change run sooner for the copies not yet corrected (1 h, 6 h,
1 day, 7 days after it), so that the figure means something.

The figures an editor reads, per partner, of the copies whose partner was told of the
change (a notice sent, a post updated), from when it was told: how many copies were to
change, how many did,
the median time from being told to a check seeing the change (a copy that has not changed
counts as slower than every one that did: the median is "not yet" when most have not),
and the share that changed within a day, of the copies that have had a day.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ..events import page_to_check
from .models import CorrectionWatch, Pickup, Status, Via

#: after a correction or withdrawal, copies not yet changed are checked again after these
SOONER = (timedelta(hours=1), timedelta(hours=6), timedelta(days=1), timedelta(days=7))
DAY = timedelta(days=1)


def watch(story_id: int, kind: str, at: datetime, version: int = 0) -> int:
    """Start watching every readable copy of a story after a change; queue the sooner
    re-checks. Returns how many copies are watched."""
    copies = list(Pickup.objects.filter(story_id=story_id, status=Status.OK)
                  .values_list("pk", "partner_id", "url"))  # fmt: skip
    made = CorrectionWatch.objects.bulk_create(
        [CorrectionWatch(pickup_id=pk, partner_id=partner, kind=kind, version=version,
                         event_at=at) for pk, partner, _ in copies],
        ignore_conflicts=True,
    )  # fmt: skip
    for _, _, url in copies:
        for after in SOONER:
            page_to_check.send(sender=CorrectionWatch, url=url, via=Via.RECHECK,
                               watched=story_id, run_after=at + after)  # fmt: skip
    return len(made)


def told(partner_id: int, story_id: int, kind: str, at: datetime | None = None) -> int:
    """A notice or a push about the story's change reached the partner: its copies' clocks
    start now (the first one out counts)."""
    return CorrectionWatch.objects.filter(
        partner_id=partner_id, pickup__story_id=story_id, kind=kind, told_at__isnull=True
    ).update(told_at=at or timezone.now())


def carried(pickup_ids: Iterable[int], kind: str, at: datetime, version: int = 0) -> int:
    """Checks at ``at`` saw these copies carry the change (up to ``version``)."""
    qs = CorrectionWatch.objects.filter(pickup_id__in=list(pickup_ids), kind=kind,
                                        fixed_at__isnull=True, event_at__lte=at)  # fmt: skip
    if version:
        qs = qs.filter(version__lte=version)
    return qs.update(fixed_at=at)


def still_open(url: str, story_id: int) -> bool:
    """Whether a copy of the story at this URL is still waiting to show a change."""
    return CorrectionWatch.objects.filter(pickup__story_id=story_id, pickup__url=url,
                                          fixed_at__isnull=True).exists()  # fmt: skip


@dataclass(frozen=True)
class Figures:
    copies: int  # copies that had to change
    changed: int
    median: timedelta | None  # None: most have not changed yet
    within_day: float | None  # share changed within a day, of those that have had a day
    had_a_day: int

    def median_words(self) -> str:
        if not self.copies:
            return "–"
        if self.median is None:
            return "not yet (most copies still show the old text)"
        return duration_words(self.median)

    def line(self) -> str:
        if not self.copies:
            return ""
        share = ("" if self.within_day is None else
                 f"; {self.within_day:.0%} within a day (of {self.had_a_day})")  # fmt: skip
        return (f"median {self.median_words()} from notice to a check seeing it; "
                f"{self.changed} of {self.copies} changed{share}")  # fmt: skip


def duration_words(d: timedelta) -> str:
    minutes = int(d.total_seconds() // 60)
    if minutes < 1:
        return f"{int(d.total_seconds())} s"
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d} min"
    return f"{minutes // (24 * 60)} days"


def figures(watches: Iterable[CorrectionWatch], now: datetime | None = None) -> Figures:
    now = now or timezone.now()
    taken: list[float] = []
    within, had_a_day = 0, 0
    for w in watches:
        took = (w.fixed_at - w.start).total_seconds() if w.fixed_at else float("inf")
        taken.append(max(took, 0.0))
        if w.fixed_at or now - w.start >= DAY:
            had_a_day += 1
            within += took <= DAY.total_seconds()
    if not taken:
        return Figures(0, 0, None, None, 0)
    middle = statistics.median_high(taken)  # (of two middles, the slower: never flattering)
    return Figures(
        copies=len(taken),
        changed=sum(t != float("inf") for t in taken),
        median=None if middle == float("inf") else timedelta(seconds=middle),
        within_day=within / had_a_day if had_a_day else None,
        had_a_day=had_a_day,
    )


def by_partner(partner_ids: Iterable[int], since: datetime | None = None,
               until: datetime | None = None) -> dict[int, Figures]:  # fmt: skip
    """Each partner's figures (changes made between ``since`` and ``until``), of the copies
    whose partner was told of the change (a notice, a push), from when it was told: a partner
    nobody told is not timed at all (its copies are still re-checked and flagged)."""
    qs = CorrectionWatch.objects.filter(partner_id__in=list(partner_ids), told_at__isnull=False)
    if since:
        qs = qs.filter(event_at__gte=since)
    if until:
        qs = qs.filter(event_at__lt=until)
    grouped: dict[int, list[Any]] = defaultdict(list)
    for w in qs.only("partner_id", "event_at", "told_at", "fixed_at"):
        grouped[w.partner_id].append(w)  # type: ignore[index]
    return {pk: figures(ws) for pk, ws in grouped.items()}
