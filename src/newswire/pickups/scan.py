"""``newswire scan`` on the wire's own stories, recording each match as a pickup."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import DatabaseError

from ..engine import Story as EngineStory
from ..engine import Terms as EngineTerms
from ..engine import story_from_ninjs, terms_from_dict
from ..wire.models import Story, Terms
from ..wire.ninjs import to_ninjs
from .models import Via
from .record import BadResult, record_result, result_key


def wire_stories() -> tuple[EngineTerms, list[EngineStory]]:
    """The wire's terms and every story it has published (withdrawn ones too: their copies
    matter most), as the engine reads them."""
    terms_row = Terms.current()
    terms = terms_from_dict(terms_row.to_dict())[0]
    stories = []
    published = Story.objects.exclude(status=Story.Status.DRAFT).prefetch_related(
        "bylines__reporter", "media__licence"
    )
    for story in published.iterator(chunk_size=500):
        stories.append(story_from_ninjs(to_ninjs(story, terms_row), terms))
    return terms, stories


class Recorder:
    """Records the matches of a scan as they come (each on its own: a scan killed half-way
    keeps what it recorded, and running it again records nothing twice)."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.failed = 0

    def record(self, result: dict[str, Any]) -> str:
        """Record one match; return "" or why it was not recorded."""
        try:
            done = record_result(result, Via.WARC_SCAN, observation=result_key(result))
        except (BadResult, DatabaseError) as exc:
            self.failed += 1
            return f"{result.get('url')}: {exc}"
        self.outcomes["already recorded" if done.check is None
                      else "new" if done.created else "updated"] += 1  # fmt: skip
        return ""

    def line(self) -> str:
        parts = [f"{n} {what}" for what, n in self.outcomes.most_common()]
        if self.failed:
            parts.append(f"{self.failed} not recorded")
        return ", ".join(parts) or "none"
