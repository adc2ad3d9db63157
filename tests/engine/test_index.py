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


def _searchsorted_positions(hashes, q):
    lo = np.searchsorted(hashes, q, side="left")
    hi = np.searchsorted(hashes, q, side="right")
    return sorted(p for a, b in zip(lo, hi, strict=True) for p in range(a, b))


@given(
    st.lists(st.integers(min_value=0, max_value=2**64 - 1), min_size=1, max_size=400),
    st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=50),
    st.integers(min_value=1, max_value=6),
)
@settings(max_examples=60, deadline=None)
def test_bucketed_lookup_finds_what_searchsorted_finds(stored, probes, copies):
    """The bucket table is an optimisation: it finds exactly the entries searchsorted finds."""
    index = StoryIndex(max_df_share=1.0, min_df_ceiling=10**6)  # keep every hash
    values = np.array(stored, dtype=np.uint64)
    for k in range(copies):  # the same hashes in several stories: runs of equal entries
        index.add(f"urn:{k}", Signature(np.unique(values)))
    index.build()
    q = np.unique(np.array(stored[:25] + probes, dtype=np.uint64))
    found = sorted(index._positions(q).tolist())
    assert found == _searchsorted_positions(index._hashes, q)


def test_a_hash_in_very_many_stories_is_still_found_in_full():
    """A bucket wider than the probe matrix (one hash kept in 150 stories) takes the slow path."""
    index = StoryIndex(max_df_share=1.0, min_df_ceiling=10**6)
    shared = np.array([12345, 2**63 + 7], dtype=np.uint64)
    for k in range(150):
        own = np.array([1000 + k, 2**62 + k], dtype=np.uint64)
        index.add(f"urn:{k}", Signature(np.unique(np.concatenate([shared, own]))))
    index.build()
    q = np.array([5, 1003, 12345, 2**62 + 9, 2**63 + 7], dtype=np.uint64)
    found = sorted(index._positions(q).tolist())
    assert found == _searchsorted_positions(index._hashes, q)
    assert len(found) == 150 + 150 + 1 + 1
    hits = {c.story: c.hits for c in index.query(Signature(q), min_hits=1, min_share=0)}
    assert len(hits) == 150 and hits["urn:3"] == 3 and hits["urn:9"] == 3 and hits["urn:0"] == 2
