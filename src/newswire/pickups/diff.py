"""A copy beside the story it was checked against: what was dropped, changed, inserted,
and what was trimmed at the end.

Paragraphs are paired with difflib (the standard library's sequence matcher) over
their normalised words; a changed pair is then compared word by word. The engine's
own aligner is faster on whole crawls, but here one page is shown at a time and
difflib's opcodes are exactly the rows of a side-by-side view.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..engine.ninjs import paragraphs_of

_WORD = re.compile(r"\S+")
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\xa0": " "})


def _norm(text: str) -> str:
    return " ".join(text.translate(_FOLD).casefold().split())


@dataclass(frozen=True)
class Row:
    kind: str  # same | changed | dropped | inserted | trimmed
    story: SafeString
    copy: SafeString


@dataclass(frozen=True)
class Diff:
    headline_story: str
    headline_copy: str
    rows: list[Row]
    dropped: int
    changed: int
    inserted: int
    trimmed: int  # story paragraphs missing after the copy's last one

    @property
    def headline_changed(self) -> bool:
        return bool(self.headline_copy) and _norm(self.headline_story) != _norm(self.headline_copy)


def _words(a: str, b: str) -> tuple[SafeString, SafeString]:
    """Two paragraphs with the words only one of them has marked (<del> and <ins>)."""
    wa, wb = _WORD.findall(a), _WORD.findall(b)
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(a=[_norm(w) for w in wa], b=[_norm(w) for w in wb])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = escape(" ".join(wa[i1:i2])), escape(" ".join(wb[j1:j2]))
        if tag == "equal":
            left.append(old)
            right.append(new)
            continue
        if i2 > i1:
            left.append(f"<del>{old}</del>")
        if j2 > j1:
            right.append(f"<ins>{new}</ins>")
    return mark_safe(" ".join(left)), mark_safe(" ".join(right))


def diff(story_headline: str, story_body_html: str, copy_headline: str, copy_text: str) -> Diff:
    ours = list(paragraphs_of(story_body_html))
    theirs = [p for p in copy_text.split("\n\n") if p.strip()]
    matcher = difflib.SequenceMatcher(a=[_norm(p) for p in ours], b=[_norm(p) for p in theirs])
    opcodes = matcher.get_opcodes()
    # story paragraphs after the copy's last matched one: trimmed at the end, not dropped
    last_kept = max((i2 for tag, _, i2, _, _ in opcodes if tag == "equal"), default=0)
    rows: list[Row] = []
    counts = {"dropped": 0, "changed": 0, "inserted": 0, "trimmed": 0}
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            for a, b in zip(ours[i1:i2], theirs[j1:j2], strict=True):
                rows.append(Row("same", escape(a), escape(b)))
            continue
        if tag == "replace":
            pairs = min(i2 - i1, j2 - j1)
            for k in range(pairs):
                left, right = _words(ours[i1 + k], theirs[j1 + k])
                rows.append(Row("changed", left, right))
                counts["changed"] += 1
            i1, j1 = i1 + pairs, j1 + pairs
        for a in ours[i1:i2]:
            kind = "trimmed" if i1 >= last_kept else "dropped"
            rows.append(Row(kind, mark_safe(f"<del>{escape(a)}</del>"), mark_safe("")))
            counts[kind] += 1
        for b in theirs[j1:j2]:
            rows.append(Row("inserted", mark_safe(""), mark_safe(f"<ins>{escape(b)}</ins>")))
            counts["inserted"] += 1
    return Diff(story_headline, copy_headline, rows, **counts)
