"""Whether a copy carries each correction of its story: what each correction changed, and
what the copy shows at that place.

A correction is the difference between two versions of a story, in words: the words it
removed and the words it put in their place (none, for a cut; none removed, for an added
sentence), with the words on either side that both versions share, and the headline when
that changed. A copy **has not applied** a correction when, at that place, it shows the old
words (the shared words either side of them, with the old ones between), or lacks the words
added (the shared words meet with nothing between); it **has applied** it when it shows the
new words there. A copy whose text does not reach the place (an excerpt, a trimmed end, a
paragraph the partner rewrote) tells nothing of that correction and is not flagged for it.
A headline correction is judged on the copy's own heading: the old one or the new one as
it stands; a heading the partner wrote (an allowed edit) tells nothing.

Several corrections in a row: the copy carries the version before the first correction it
has not applied ("carries version 2 of 4"), and the evidence names each one it misses. A
change a later correction undid or rewrote is not asked of a copy: only what the story says
now.
Words are compared as a reader reads them: case, punctuation around words and the markup
do not count; "1,284" and "1,482" are different words, and so are "Jonson" and "Johnson".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

#: a word as compared: letters and digits, joined by inner punctuation ("1,284", "d'Emilio")
_WORD = re.compile(r"\w+(?:[.,'\u2019\-]\w+)*")
#: how many shared words either side of a change place it in the text
CONTEXT = 5
#: the fewest words a pattern must hold to be looked for (fewer could match anywhere)
SHORTEST = 3


def words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _spans(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0).casefold(), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass(frozen=True)
class Change:
    """One place a correction changed: the words either side (shared by both versions),
    the words it removed and those it put there."""

    version: int  # the version the correction made
    date: datetime
    note: str
    headline: bool  # a change of the headline (judged on the copy's heading)
    before: tuple[str, ...]
    old: tuple[str, ...]
    new: tuple[str, ...]
    after: tuple[str, ...]
    old_text: str  # the old words as the version wrote them, for the evidence
    new_text: str


def changes(before_headline: str, before_text: str, after_headline: str, after_text: str,
            *, version: int, date: datetime, note: str) -> list[Change]:  # fmt: skip
    """The places where one version's words differ from the next one's."""
    out: list[Change] = []
    old_h, new_h = words(before_headline), words(after_headline)
    if old_h != new_h:
        out.append(Change(version, date, note, True, (), tuple(old_h), tuple(new_h), (),
                          before_headline.strip(), after_headline.strip()))  # fmt: skip
    a_spans, b_spans = _spans(before_text), _spans(after_text)
    a, b = [w for w, _, _ in a_spans], [w for w, _, _ in b_spans]
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        # the shared words either side come from the equal runs next to this change only
        left = ops[n - 1] if n and ops[n - 1][0] == "equal" else None
        right = ops[n + 1] if n + 1 < len(ops) and ops[n + 1][0] == "equal" else None
        before = tuple(a[max(left[1], i1 - CONTEXT) : i1]) if left else ()
        after = tuple(a[i2 : min(right[2], i2 + CONTEXT)]) if right else ()
        out.append(Change(
            version, date, note, False, before, tuple(a[i1:i2]), tuple(b[j1:j2]), after,
            _quote(before_text, a_spans, i1, i2), _quote(after_text, b_spans, j1, j2),
        ))  # fmt: skip
    return out


def _quote(text: str, spans: list[tuple[str, int, int]], i1: int, i2: int) -> str:
    """The words i1..i2 as written, with a few words either side."""
    lo, hi = max(0, i1 - 4), min(len(spans), max(i2, i1) + 4)
    if lo >= hi:
        return ""
    return " ".join(text[spans[lo][1] : spans[hi - 1][2]].split())[:300]


def _find(haystack: Sequence[str], needle: Sequence[str]) -> int:
    """Where ``needle`` starts in ``haystack`` (-1 if nowhere)."""
    n = len(needle)
    if not n:
        return -1
    first = needle[0]
    for i in range(len(haystack) - n + 1):
        if haystack[i] == first and list(haystack[i : i + n]) == list(needle):
            return i
    return -1


def _seen(copy: Sequence[str], *patterns: tuple[str, ...]) -> int | None:
    """Where the first pattern long enough to mean something is found in the copy."""
    for p in patterns:
        if len(p) >= SHORTEST:
            at = _find(copy, p)
            if at >= 0:
                return at
    return None


APPLIED, MISSED, UNSEEN = "applied", "missed", "unseen"


def judge(change: Change, copy_words: Sequence[str], copy_heading: Sequence[str]) -> str:
    """What the copy shows at the place of ``change``: ``applied``, ``missed`` or
    ``unseen`` (its text does not reach the place, or says something else there)."""
    if change.headline:
        heading = list(copy_heading)
        if heading == list(change.new):
            return APPLIED
        return MISSED if heading == list(change.old) else UNSEEN
    left, old, new, right = change.before, change.old, change.new, change.after
    if new:
        new_seen = _seen(copy_words, left + new + right, left + new, new + right)
    else:  # a cut: the shared words meet
        new_seen = _seen(copy_words, left + right) if left and right else None
    if old:
        old_seen = _seen(copy_words, left + old + right, left + old, old + right)
    else:  # an addition: the shared words still meet, the new words missing
        old_seen = _seen(copy_words, left + right) if left and right else None
    if new_seen is not None:
        return APPLIED
    return MISSED if old_seen is not None else UNSEEN


@dataclass
class Verdict:
    """What a copy carries of its story's corrections."""

    current: int  # the story's version
    carries: int  # the version the copy carries
    missed: list[Change]  # the changes it shows the old words of (first of each correction)
    applied: list[int]  # the versions whose corrections it shows

    def evidence(self) -> str:
        """In a sentence, with the old words and the corrected ones ("" when none missed)."""
        if not self.missed:
            return ""
        dates = sorted({f"{c.date:%Y-%m-%d}" for c in self.missed})
        first = self.missed[0]
        which = "correction" if len(dates) == 1 else "corrections"
        carried = (f"carries version {self.carries} of {self.current}: "
                   if self.current > 2 else "")  # fmt: skip
        was = first.old_text or "(nothing: the correction added words)"
        became = first.new_text or "(cut)"
        return (
            f"still shows the text before the {which} of {', '.join(dates)} ({carried}misses "
            f"{len({c.version for c in self.missed})} of {self.current - 1}): \u201c{was}\u201d "
            f"(corrected to \u201c{became}\u201d; note: {first.note})"
        )


def verdict(versions: Sequence[Any], copy_text: str, copy_heading: str) -> Verdict:
    """Judge a copy (its text and heading) against every correction of a story, given its
    versions in order (objects with ``number``, ``headline``, ``body`` as plain text,
    ``created_at`` and ``note``)."""
    copy_words, heading = words(copy_text), words(copy_heading)
    current = versions[-1].number if versions else 1
    # a change a later correction undid or rewrote is not asked of a copy: only what the
    # story says now (the change as the latest version still shows it)
    latest_words = words(versions[-1].body) if versions else []
    latest_heading = words(versions[-1].headline) if versions else []
    missed: list[Change] = []
    applied: list[int] = []
    carries = current
    for prev, now in pairwise(versions):
        found = changes(prev.headline, prev.body, now.headline, now.body, version=now.number,
                        date=now.created_at, note=now.note)  # fmt: skip
        standing = [c for c in found if judge(c, latest_words, latest_heading) == APPLIED]
        verdicts = [(c, judge(c, copy_words, heading)) for c in standing]
        lost = [c for c, v in verdicts if v == MISSED]
        if lost:
            missed.append(lost[0])
            carries = min(carries, now.number - 1)
        elif any(v == APPLIED for _, v in verdicts):
            applied.append(now.number)
    return Verdict(current, carries, missed, applied)
