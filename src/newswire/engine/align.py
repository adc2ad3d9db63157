"""Stage 5 — align: how much of a story a page reproduces, and what it changed.

The alignment works on normalised words (see :func:`.fingerprint.words`):

1. *Anchor*: every 4-word sequence of the page that the story has too.
2. *Extend*: from each anchor, as far as page and story agree, giving a run.
3. *Chain*: the heaviest chain of runs that is in order on both sides
   (a page that repeats the lead in a teaser keeps only the real copy).

``coverage`` is then the share of the story's words inside the chain, which
is how the labelled corpus defines it (runs of four words or more, in order).
What lies *between* the chain's runs is the edit: story words missing inside
the copy (``changed``), page words the story lacks (``inserted``); what is
missing before the first run or after the last is a dropped lead or a trim,
and a trim that ends on a paragraph boundary is the allowed ``trim_end``.

difflib would give the same runs, but costs O(n·m) on long pages; anchoring
on a dict of the story's 4-grams is linear in the page.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .fingerprint import _WORD, COMPILED, normalize, words
from .types import Alignment, Block, Run, Story

ANCHOR = 4  # words in an anchor; the corpus counts runs of 4 or more words
# A run shorter than LONE_RUN words counts only inside a copied passage (within
# NEAR words of another run): alone, "10 years in prison and" or "said in an
# email" is a stock phrase that two reports of one event share, not a copy.
LONE_RUN = 8
NEAR = 3


@dataclass(frozen=True, slots=True)
class StoryText:
    """A story prepared for alignment: its words, paragraph ends and 4-gram positions."""

    story: Story
    words: tuple[str, ...]
    paragraph_ends: tuple[int, ...]  # word offset just after each paragraph
    headline: tuple[str, ...]
    # each distinct word's number; every 4-gram as one number, sorted, and the story
    # positions of the 4-grams in that order (a 4-gram's positions, in story order, are
    # one slice): a page's anchors are found with numpy, not a dict lookup apiece
    vocab: dict[str, int]
    gram_keys: npt.NDArray[np.int64] = field(compare=False)
    gram_starts: tuple[int, ...] = field(compare=False)
    # the same positions, and each story word's number, as arrays (anchors inside a run
    # already found are left out with numpy: see _runs)
    gram_order: npt.NDArray[np.int64] = field(compare=False)
    ids: npt.NDArray[np.int64] = field(compare=False)
    # the 4-grams' positions by their words: only for a story of more distinct words than
    # its 4-grams' numbers can hold (see _gram_keys), which the numbers then replace
    grams: dict[tuple[str, ...], tuple[int, ...]] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, story: Story) -> StoryText:
        parts = _normalized(story.paragraphs)
        all_words, owners = _split_words(parts, list(range(len(parts))))
        # each paragraph's end, the words before it counted; a paragraph without words
        # ends where the one before it did, and is counted once
        counts = np.bincount(np.asarray(owners, dtype=np.int64), minlength=len(parts))
        ends = list(dict.fromkeys(np.cumsum(counts).tolist()))
        # each distinct word numbered in the order it first comes
        vocab = {w: i for i, w in enumerate(dict.fromkeys(all_words))}
        ids = np.fromiter(map(vocab.__getitem__, all_words), dtype=np.int64, count=len(all_words))
        grams = None
        if len(vocab) ** ANCHOR < 2**63:
            keys = _gram_keys(ids, len(vocab))
            order = np.argsort(keys, kind="stable")  # a 4-gram's positions stay in order
            keys, starts = keys[order], tuple(order.tolist())
        else:
            order = np.zeros(0, dtype=np.int64)
            keys, starts = np.zeros(0, dtype=np.int64), ()
            found: dict[tuple[str, ...], list[int]] = {}
            for j in range(len(all_words) - ANCHOR + 1):
                found.setdefault(tuple(all_words[j : j + ANCHOR]), []).append(j)
            grams = {k: tuple(v) for k, v in found.items()}
        return cls(
            story,
            tuple(all_words),
            tuple(ends),
            tuple(words(story.headline)),
            vocab,
            keys,
            starts,
            order.astype(np.int64),
            ids,
            grams,
        )


def _gram_keys(ids: npt.NDArray[np.int64], radix: int) -> npt.NDArray[np.int64]:
    """Each run of ANCHOR word numbers (each below ``radix``) as one number: exact while
    radix ** ANCHOR fits in 63 bits, a story of fewer than 55,000 distinct words."""
    n = ids.shape[0] - ANCHOR + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = ids[:n].copy()
    for k in range(1, ANCHOR):
        keys = keys * radix + ids[k : k + n]
    return keys


_SEP = "\x1e"  # ASCII record separator


def _normalized(texts: list[str] | tuple[str, ...]) -> list[str]:
    """Each text normalised (:func:`.fingerprint.normalize`), all in one call (it is the
    costly part, a page's blocks or a story's paragraphs), split again on a separator that
    normalisation keeps and no word contains."""
    if not texts:
        return []
    parts = normalize(_SEP.join(t.replace(_SEP, " ") for t in texts)).split(_SEP)
    if len(parts) != len(texts):
        # a text spelling the separator as an entity ("&#30;") split in two when normalise
        # unescaped it: take those texts one by one
        parts = [normalize(t) for t in texts]
    return parts


def _split_words(parts: list[str], owners: list[int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words (``\\w+``) of normalised texts, and for each word its text's owner: a text
    in ASCII split in C where the engine's C part is built (``words_of``), any other by the
    expression."""
    if COMPILED is not None:
        found: tuple[tuple[str, ...], tuple[int, ...]] = COMPILED.words_of(
            parts, owners, _WORD.findall
        )
        return found
    out: list[str] = []
    owned: list[int] = []
    for part, owner in zip(parts, owners, strict=True):
        w = _WORD.findall(part)
        out.extend(w)
        owned.extend([owner] * len(w))
    return tuple(out), tuple(owned)


@dataclass(frozen=True, slots=True)
class PageText:
    """A page's body words with the block each word came from."""

    words: tuple[str, ...]
    block_of: tuple[int, ...]

    @classmethod
    def of(cls, blocks: tuple[Block, ...]) -> PageText:
        body = [b for b in blocks if b.tag != "figcaption"]  # photo captions are not body text
        parts = _normalized([b.text for b in body])
        return cls(*_split_words(parts, [b.index for b in body]))


#: With more runs than this the chain is found greedily (a page of boilerplate
#: that shares many short phrases with a story); copies have a handful.
MAX_RUNS = 1500


def _runs(st: StoryText, page: PageText) -> list[Run]:
    """Return every maximal run of at least ANCHOR words shared by page and story.

    Each anchor is extended along every story position it occurs at, so that a
    story repeating its own sentence (a lead echoed in a caption) yields both
    runs and the chain picks the one that continues the copy.
    """
    s, p = st.words, page.words
    ns, n = len(s), len(p)
    runs: list[Run] = []
    if n < ANCHOR or not (st.gram_starts or st.grams):
        return runs
    # where each page position's 4-gram occurs in the story: (position, story positions)
    anchors: Iterable[tuple[int, tuple[int, ...]]]
    if st.grams is None:
        # every word known to the story, and the four words' numbers as one among the
        # story's (a dict lookup a position cost more than the rest of the alignment)
        get = st.vocab.get
        ids = np.fromiter(map(get, p, itertools.repeat(-1, n)), dtype=np.int64, count=n)
        known = ids >= 0
        starts = known[: n - ANCHOR + 1].copy()
        for k in range(1, ANCHOR):
            starts &= known[k : k + n - ANCHOR + 1]
        keys = _gram_keys(np.where(known, ids, 0), len(st.vocab))
        table = st.gram_keys  # sorted (and not empty: the story has 4-grams), searched
        first = np.searchsorted(table, keys)
        starts &= table[np.minimum(first, table.shape[0] - 1)] == keys
        positions = np.flatnonzero(starts)
        firsts = first[positions]
        last = np.searchsorted(table, keys[positions], side="right")
        # an anchor inside a run found from the anchor before it (the word before it is
        # the word before its place in the story) is passed over by the loop below; where
        # its 4-gram is once in the story, nearly always, it is left out here at once
        once = st.gram_order[np.minimum(firsts, st.gram_order.shape[0] - 1)]
        inside = (
            (last - firsts == 1)
            & (positions > 0)
            & (once > 0)
            & (ids[positions - 1] == st.ids[once - 1])  # an unknown word is -1
        )
        kept = ~inside
        if COMPILED is not None:  # the loop below in C, over the words as numbers
            at, from_, to = (np.ascontiguousarray(x[kept], dtype=np.int64)
                             for x in (positions, firsts, last))  # fmt: skip
            found = COMPILED.runs(ids, st.ids, at, from_, to, st.gram_order, ANCHOR)
            return [Run(j, i, length) for j, i, length in found]
        order = st.gram_starts
        anchors = (
            (i, order[a:b])
            for i, a, b in zip(positions[kept].tolist(), firsts[kept].tolist(),
                               last[kept].tolist(), strict=True)
        )  # fmt: skip
    else:
        grams = st.grams
        anchors = (
            (i, where) for i in range(n - ANCHOR + 1) if (where := grams.get(p[i : i + ANCHOR]))
        )
    for i, where in anchors:
        for j in where[:16]:
            if i and j and p[i - 1] == s[j - 1]:
                continue  # inside a run found from an earlier anchor
            # extended 16 words at a time (a slice compared in C), then word by word
            length = ANCHOR
            while (k := min(16, n - i - length, ns - j - length)) > 0:
                if p[i + length : i + length + k] != s[j + length : j + length + k]:
                    while p[i + length] == s[j + length]:
                        length += 1
                    break
                length += k
            runs.append(Run(j, i, length))
    return runs


def _chain(runs: list[Run]) -> list[Run]:
    """Return the heaviest chain of runs increasing on both the story and the page side.

    Weight is words covered; among equal chains the one with fewer runs wins
    (a whole copy over a teaser plus the rest of the copy).
    """
    if not runs:
        return []
    if len(runs) > MAX_RUNS:
        runs = sorted(runs, key=lambda r: -r.length)[:MAX_RUNS]
        runs.sort(key=lambda r: (r.page_start, r.story_start))
    if COMPILED is not None:  # the loop of _predecessors in C, sum for sum
        n = len(runs)
        story = np.fromiter((r.story_start for r in runs), dtype=np.int64, count=n)
        page = np.fromiter((r.page_start for r in runs), dtype=np.int64, count=n)
        length = np.fromiter((r.length for r in runs), dtype=np.int64, count=n)
        end, prev = COMPILED.predecessors(story, page, length)
    elif len(runs) > WIDE_CHAIN:
        end, prev = _predecessors_wide(runs)
    else:
        end, prev = _predecessors(runs)
    chain: list[Run] = []
    while end >= 0:
        chain.append(runs[end])
        end = prev[end]
    chain.reverse()
    return chain


def _predecessors(runs: list[Run]) -> tuple[int, list[int]]:
    """The heaviest chain's last run, and each run's best predecessor (-1: none)."""
    best = [r.length - 1e-3 for r in runs]
    prev = [-1] * len(runs)
    for b, rb in enumerate(runs):
        for a in range(b):
            ra = runs[a]
            if (
                ra.story_start + ra.length <= rb.story_start
                and ra.page_start + ra.length <= rb.page_start
                and best[a] + rb.length - 1e-3 > best[b]
            ):
                best[b] = best[a] + rb.length - 1e-3
                prev[b] = a
    return max(range(len(runs)), key=best.__getitem__), prev


#: From this many runs on, each run's best predecessor is found with numpy: the loop over
#: every earlier run is quadratic (a page with 560 runs cost 16 ms in it).
WIDE_CHAIN = 64


def _predecessors_wide(runs: list[Run]) -> tuple[int, list[int]]:
    """:func:`_predecessors` with each run's predecessors compared at once: the same sums
    in the same order (``(best + length) - 1e-3``), and the first of equal bests, as the
    loop keeps."""
    n = len(runs)
    story_end = np.fromiter((r.story_start + r.length for r in runs), dtype=np.int64, count=n)
    page_end = np.fromiter((r.page_start + r.length for r in runs), dtype=np.int64, count=n)
    best = np.empty(n, dtype=np.float64)
    prev = [-1] * n
    for b, rb in enumerate(runs):
        best[b] = rb.length - 1e-3
        if not b:
            continue
        fits = (story_end[:b] <= rb.story_start) & (page_end[:b] <= rb.page_start)
        if not fits.any():
            continue
        sums = np.where(fits, best[:b] + rb.length - 1e-3, -np.inf)
        a = int(sums.argmax())  # the first of equal sums
        if sums[a] > best[b]:
            best[b] = sums[a]
            prev[b] = a
    return int(best.argmax()), prev


def headline_changed(st: StoryText, blocks: tuple[Block, ...], region: range) -> bool:
    """Return whether no heading in the story's region carries the story's headline."""
    if not st.headline:
        return False
    n = len(st.headline)
    for b in region:
        block = blocks[b]
        if block.tag in ("h1", "h2", "h3", "h4", "title") or block.hint.find("title") >= 0:
            w = tuple(words(block.text))
            if w[:n] == st.headline or w[-n:] == st.headline:
                return False
    return True


def _near(a: Run, b: Run) -> bool:
    """Return whether run ``b`` follows run ``a`` closely on both sides."""
    return (
        b.story_start - (a.story_start + a.length) <= NEAR
        and b.page_start - (a.page_start + a.length) <= NEAR
    )


def _passages(chain: list[Run]) -> list[Run]:
    """Drop short runs that stand alone (shared stock phrases, not copied text)."""
    kept = []
    for k, run in enumerate(chain):
        if (
            run.length >= LONE_RUN
            or (k and _near(chain[k - 1], run))
            or (k + 1 < len(chain) and _near(run, chain[k + 1]))
        ):
            kept.append(run)
    return kept


def _coincidental_overhang(st: StoryText, page: PageText, last: Run, end: int, total: int) -> int:
    """Words the last run reaches into a story paragraph only by coincidence: 0 usually.

    A copy that ends with the story's paragraph and then goes on with a line of its own
    ("This story was first published by …") matches the story's next paragraph for as
    long as the two happen to agree ("This …"). Fewer words than an anchor past a
    paragraph's end, followed in the same block of the page by words the story does not
    have there, are that coincidence: the copy ends at the paragraph. (A copy cut
    mid-paragraph ends its block there instead, and keeps its overhang.)
    """
    if end == total or not st.paragraph_ends:
        return 0
    k = bisect_right(st.paragraph_ends, end) - 1
    if k < 0:
        return 0
    over = end - st.paragraph_ends[k]
    if not 0 < over < ANCHOR or over >= last.length:
        return 0
    after = last.page_start + last.length  # the page's word after the run
    if after < len(page.block_of) and page.block_of[after] == page.block_of[after - 1]:
        return over
    return 0


def align(st: StoryText, page: PageText) -> Alignment:
    """Align a prepared story with a page's words."""
    chain = _passages(_chain(_runs(st, page)))
    total = len(st.words)
    if not chain or not total:
        return Alignment(st.story.uri, 0.0, (), ())
    covered = sum(r.length for r in chain)
    first, last = chain[0], chain[-1]
    end = last.story_start + last.length
    overhang = _coincidental_overhang(st, page, last, end, total)
    covered -= overhang
    end -= overhang
    changed = inserted = 0
    for a, b in itertools.pairwise(chain):
        changed += b.story_start - (a.story_start + a.length)
        inserted += b.page_start - (a.page_start + a.length)
    blocks = sorted({page.block_of[r.page_start + k] for r in chain for k in range(r.length)})
    kept = bisect_right(st.paragraph_ends, end)
    return Alignment(
        story=st.story.uri,
        coverage=covered / total,
        runs=tuple(chain),
        blocks=tuple(blocks),
        dropped_start=first.story_start,
        dropped_end=total - end,
        trimmed_end_only=end == total or end in st.paragraph_ends,
        changed=changed,
        inserted=inserted,
        paragraphs_kept=kept,
        paragraphs_total=len(st.paragraph_ends),
    )
