from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.engine.align import PageText, StoryText, align
from newswire.engine.decoding import parse
from newswire.engine.extract import extract
from newswire.engine.types import Page, Run, Story

from ..factories import article, paragraphs


def story(paras: list[str], uri: str = "urn:t:1") -> StoryText:
    return StoryText.of(Story(uri, "Council Weighs New Budget", tuple(paras)))


def page_text(html: str) -> PageText:
    tree, _ = parse(Page("https://ex.org/p", html.encode()))
    return PageText.of(extract(tree).blocks)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12))
def test_a_story_aligned_with_itself_has_coverage_one(seed: int, n: int) -> None:
    paras = paragraphs(seed, n=n)
    a = align(story(paras), page_text(article(paras)))
    assert a.coverage == 1.0
    assert (a.dropped_start, a.dropped_end, a.changed, a.inserted) == (0, 0, 0, 0)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 12), data=st.data())
def test_trimming_k_of_n_paragraphs(seed: int, n: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(1, n - 1))
    paras = paragraphs(seed, n=n)
    a = align(story(paras), page_text(article(paras[: n - k])))
    assert abs(a.coverage - (n - k) / n) < 0.02
    assert a.trimmed_end_only and a.dropped_start == 0 and a.changed == 0
    assert a.paragraphs_kept == n - k


def test_a_changed_word_is_an_edit() -> None:
    paras = paragraphs(3)
    edited = list(paras)
    edited[2] = edited[2].replace("Item3x2 ", "Item3x2 remarkably ", 1)
    a = align(story(paras), page_text(article(edited)))
    assert a.inserted == 1 and a.coverage == 1.0


def test_a_replaced_word_counts_on_both_sides() -> None:
    paras = paragraphs(4)
    words = paras[3].split()
    words[10] = "zeppelin"
    edited = [*paras[:3], " ".join(words), *paras[4:]]
    a = align(story(paras), page_text(article(edited)))
    assert a.changed == 1 and a.inserted == 1
    assert 0.99 < a.coverage < 1.0


def test_dropped_lead_and_cut_mid_paragraph() -> None:
    paras = paragraphs(5)
    a = align(story(paras), page_text(article(paras[1:])))
    assert a.dropped_start > 0
    cut = [*paras[:-1], " ".join(paras[-1].split()[:20])]
    b = align(story(paras), page_text(article(cut)))
    assert b.dropped_end > 0 and not b.trimmed_end_only


def test_typography_and_joined_paragraphs_are_not_edits() -> None:
    paras = ["He said “it’s done” — finally.", *paragraphs(6, n=3)]
    page = article(['He said "it\'s done" - finally. ' + paras[1], *paras[2:]])
    a = align(story(paras), page_text(page))
    assert a.coverage == 1.0 and a.changed == a.inserted == 0


def test_a_teaser_repeating_the_lead_does_not_break_the_copy() -> None:
    paras = paragraphs(9)
    teaser = "<div class='teaser'><p>" + paras[0] + "</p></div>"
    a = align(story(paras), page_text(teaser + article(paras)))
    assert a.coverage == 1.0 and a.inserted == 0


def test_stock_phrases_alone_are_not_a_copy() -> None:
    paras = paragraphs(10)
    phrases = [" ".join(p.split()[5:10]) for p in paras]  # five-word snippets, scattered
    other = paragraphs(77)
    mixed = [f"{o} {ph}." for o, ph in zip(other, phrases, strict=False)]
    a = align(story(paras), page_text(article(mixed)))
    assert a.coverage == 0.0


def test_roundup_two_stories_each_found() -> None:
    one, two = paragraphs(11, n=4), paragraphs(12, n=5)
    html = article(one) + article(two)
    page = page_text(html)
    assert align(story(one, "urn:1"), page).coverage == 1.0
    assert align(story(two, "urn:2"), page).coverage == 1.0


def test_page_words_keep_their_blocks_when_a_block_spells_the_separator():
    from newswire.engine.align import PageText
    from newswire.engine.fingerprint import words
    from newswire.engine.types import Block

    blocks = tuple(
        Block(i, text, "p", (i,), -1, "")
        for i, text in enumerate(
            ["First block here", "odd &#30; entity inside", "\x1e raw too", "Last one"]
        )
    )
    page = PageText.of(blocks)
    expected = [(w, b.index) for b in blocks for w in words(b.text)]
    assert list(zip(page.words, page.block_of, strict=True)) == expected


def _by_words(st_: StoryText) -> StoryText:
    """The same story, its 4-grams looked up by their words (the path for a story of more
    distinct words than the 4-grams' numbers can hold)."""
    from dataclasses import replace

    found: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(st_.words) - 3):
        found.setdefault(tuple(st_.words[j : j + 4]), []).append(j)
    return replace(st_, grams={k: tuple(v) for k, v in found.items()}, gram_starts=())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["the", "council", "said", "it", "will", "vote", "on", "the", "budget", "plan"]),
             min_size=4, max_size=300),
    st.lists(st.sampled_from(["the", "council", "said", "it", "will", "vote", "on", "a", "new", "budget", "today"]),
             min_size=0, max_size=300),
)  # fmt: skip
def test_anchors_by_number_and_by_words_give_the_same_runs(story_words, page_words) -> None:
    """Repetitive text (a 4-gram at many story positions, the first 16 taken) aligns alike
    whether its 4-grams are found as numbers (numpy) or as words (a dict)."""
    from newswire.engine.align import _runs

    st_ = story([" ".join(story_words)])
    page = PageText(tuple(page_words), tuple(0 for _ in page_words))
    assert _runs(st_, page) == _runs(_by_words(st_), page)


def test_a_story_of_more_distinct_words_than_numbers_hold_is_still_aligned() -> None:
    many = [f"w{i}x" for i in range(56_000)]  # 56,000 ** 4 > 2 ** 63
    st_ = story([" ".join(many)])
    assert st_.grams is not None and not st_.gram_starts
    page = PageText(tuple(many[1000:3000]), tuple(0 for _ in range(2000)))
    a = align(st_, page)
    assert [(r.story_start, r.page_start, r.length) for r in a.runs] == [(1000, 0, 2000)]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(4, 12)),
        min_size=1,
        max_size=160,
    )
)
def test_the_wide_chain_is_the_loops_chain(triples) -> None:
    """Many runs (a page of boilerplate, a story repeating itself): numpy's chain is the
    loop's, ties included (equal lengths at many places)."""
    import newswire.engine.align as align_module
    runs = sorted(
        (Run(s, p, n) for s, p, n in triples), key=lambda r: (r.page_start, r.story_start)
    )
    assert align_module._predecessors_wide(runs) == align_module._predecessors(runs)
    if align_module.COMPILED is not None:  # the loop in C, sum for sum
        arrays = [np.asarray([getattr(r, f) for r in runs], dtype=np.int64)
                  for f in ("story_start", "page_start", "length")]  # fmt: skip
        end, prev = align_module.COMPILED.predecessors(*arrays)
        assert (end, prev) == align_module._predecessors(runs)


def test_a_line_after_the_copy_that_opens_like_the_next_paragraph_is_no_cut() -> None:
    """The dev corpus's one wrong verdict: the copy kept 32 of 33 paragraphs and went on,
    in the same block, with its own line opening like the story's dropped last one
    ("This …"). That is a trim at a paragraph, not a cut mid-paragraph."""
    paras = paragraphs(7, n=5)
    paras[-1] = "This article has been adapted from its original source."
    kept = "".join(f"<p>{p}</p>" for p in paras[:-2])
    own = f"<p>{paras[-2]} This story was first published by the Plainfield News Service.</p>"
    a = align(story(paras), page_text(f"<html><body><article>{kept}{own}</article></body></html>"))
    assert a.trimmed_end_only and a.dropped_end == 9 and a.paragraphs_kept == 4
    own_block = f"<p>{paras[-2]}</p><p>This story was first published by the wire.</p>"
    c = align(story(paras),
              page_text(f"<html><body><article>{kept}{own_block}</article></body></html>"))  # fmt: skip
    assert c.trimmed_end_only and c.dropped_end == 9
    # cut mid-paragraph for real: the copy's block ends three words into the last paragraph
    cut = f"<p>{paras[-2]} This article has</p>"
    b = align(story(paras), page_text(f"<html><body><article>{kept}{cut}</article></body></html>"))
    assert not b.trimmed_end_only and b.dropped_end == 6


def _runs_written_out(s: tuple[str, ...], p: tuple[str, ...]) -> list[Run]:
    """Every run as the alignment's first version found them: each 4-gram of the page
    looked up in a dict of the story's, each run extended word by word."""
    grams: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(s) - 3):
        grams.setdefault(s[j : j + 4], []).append(j)
    runs = []
    for i in range(len(p) - 3):
        for j in grams.get(p[i : i + 4], [])[:16]:
            if i and j and p[i - 1] == s[j - 1]:
                continue
            length = 4
            while i + length < len(p) and j + length < len(s) and p[i + length] == s[j + length]:
                length += 1
            runs.append(Run(j, i, length))
    return runs


def test_the_runs_are_those_written_out() -> None:
    """The runs of pages made of pieces of a story (repeated, overlapping, long and short,
    among other words; the story of five words, so that its 4-grams repeat) are those the
    plain dict-and-loop reading finds, in order."""
    import random

    from newswire.engine.align import _runs

    rng = random.Random(34)
    found = 0
    for _ in range(1500):
        story_words = [rng.choice("abcde") for _ in range(rng.randint(4, 300))]
        st_ = StoryText.of(Story("urn:t:r", "H", (" ".join(story_words),)))
        page_words: list[str] = []
        for _ in range(rng.randint(1, 6)):
            start = rng.randint(0, len(story_words))
            page_words += st_.words[start : start + rng.randint(0, 80)]
            page_words += [rng.choice("abxyz") for _ in range(rng.randint(0, 3))]
        page = PageText(tuple(page_words), tuple(0 for _ in page_words))
        runs = _runs(st_, page)
        assert runs == _runs_written_out(st_.words, page.words)
        found += len(runs)
    assert found > 10_000
