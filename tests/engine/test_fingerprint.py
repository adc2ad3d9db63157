from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from newswire.engine.fingerprint import normalize, signature, words

from ..factories import paragraphs


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once or "&" in text  # html.unescape may reveal a new entity


def test_typography_does_not_change_words() -> None:
    fancy = "“It’s  here” — she said\u00a0today&hellip; ＡＢＣ"
    plain = '"It\'s here" - she said today... ABC'
    assert words(fancy) == words(plain) == ["it", "s", "here", "she", "said", "today", "abc"]


@given(st.lists(st.sampled_from(["a", "b", "cc", "ddd", "river", "council"]), min_size=1))
def test_words_ignore_case_and_spacing(ws: list[str]) -> None:
    assert words("  ".join(w.upper() for w in ws)) == words(" ".join(ws))


def test_signature_is_invariant_to_case_space_and_quotes() -> None:
    text = " ".join(paragraphs(7, n=4))
    variant = text.upper().replace(" ", "  \n ").replace(".", "’.")
    a, b = signature(text), signature(variant)
    assert len(a) > 10
    assert np.array_equal(a.hashes, b.hashes)


def test_shared_passage_shares_hashes_wherever_it_sits() -> None:
    passage = " ".join(paragraphs(8, n=3))
    page = "Menu Home News Sport " + " ".join(paragraphs(99, n=5)) + " " + passage + " Footer"
    shared = np.intersect1d(signature(passage).hashes, signature(page).hashes)
    assert len(shared) >= 0.9 * len(signature(passage))


def test_unrelated_texts_share_almost_nothing() -> None:
    a = signature(" ".join(paragraphs(1)))
    b = signature(" ".join(paragraphs(2)))
    assert len(np.intersect1d(a.hashes, b.hashes)) <= 2


def test_short_or_empty_text() -> None:
    assert len(signature("")) == 0
    assert len(signature("tiny")) == 0
    assert len(signature("!!! ... ---")) == 0
