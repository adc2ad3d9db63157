from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.engine.errors import IndexFormatError
from newswire.engine.fingerprint import signature
from newswire.engine.index import StoryIndex
from newswire.engine.types import Signature

from ..factories import paragraphs

FOOTER = (
    "All content created by the Plainfield News Service is available without charge to any "
    "legitimate news publisher that can provide a large audience. All republished articles "
    "must include our logo, our reporter's byline and their affiliation."
)


def build(n: int = 20) -> StoryIndex:
    index = StoryIndex()
    for k in range(n):
        index.add(f"urn:s:{k}", signature(" ".join(paragraphs(k)) + " " + FOOTER))
    return index


def test_query_finds_the_story() -> None:
    index = build()
    page = "Home News " + " ".join(paragraphs(5)) + " Comments"
    found = index.query(signature(page))
    assert [c.story for c in found] == ["urn:s:5"]
    assert found[0].share > 0.9


def test_boilerplate_shared_by_every_story_matches_nothing() -> None:
    index = build()
    page = "An unrelated article about gardening. " * 20 + FOOTER
    assert index.query(signature(page)) == []
    assert index.dropped > 0  # the footer's hashes, gone from the built index


def test_excerpt_is_a_candidate() -> None:
    index = build()
    excerpt = " ".join(paragraphs(3)[:2])
    assert [c.story for c in index.query(signature(excerpt))] == ["urn:s:3"]


def test_remove_replace_contains_len() -> None:
    index = build(5)
    assert "urn:s:1" in index and len(index) == 5
    index.remove("urn:s:1")
    assert "urn:s:1" not in index and len(index) == 4
    assert index.query(signature(" ".join(paragraphs(1)))) == []
    index.add("urn:s:2", signature(" ".join(paragraphs(42))))
    assert [c.story for c in index.query(signature(" ".join(paragraphs(42))))] == ["urn:s:2"]
    assert index.query(signature(" ".join(paragraphs(2)))) == []
    with pytest.raises(KeyError):
        index.remove("urn:s:none")


def test_save_and_load(tmp_path: Path) -> None:
    index = build()
    path = tmp_path / "stories.npz"
    index.save(path)
    loaded = StoryIndex.load(path)
    page = signature(" ".join(paragraphs(7)))
    assert loaded.query(page) == index.query(page)
    assert len(loaded) == len(index)


def test_load_rejects_a_file_that_is_not_an_index(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not an index")
    with pytest.raises(IndexFormatError, match=r"bad\.npz"):
        StoryIndex.load(bad)


@given(
    st.lists(st.integers(min_value=0, max_value=2**64 - 1), min_size=1, max_size=400),
    st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=50),
    st.integers(min_value=1, max_value=6),
)
@settings(max_examples=60, deadline=None)
def test_bucketed_lookup_finds_what_searchsorted_finds(stored, probes, copies):
    """The bucket table is an optimisation: each range it finds equals searchsorted's."""
    index = StoryIndex(max_df_share=1.0, min_df_ceiling=10**6)  # keep every hash
    values = np.array(stored, dtype=np.uint64)
    for k in range(copies):  # the same hashes in several stories: runs of equal entries
        index.add(f"urn:{k}", Signature(np.unique(values)))
    index.build()
    q = np.unique(np.array(stored[:25] + probes, dtype=np.uint64))
    lo, hi = index._locate(q)
    assert np.array_equal(lo, np.searchsorted(index._hashes, q, side="left"))
    assert np.array_equal(hi, np.searchsorted(index._hashes, q, side="right"))
