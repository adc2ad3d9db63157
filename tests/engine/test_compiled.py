"""The engine's compiled loops (_sift.c) give exactly what their numpy versions give, on
markup made to trip a tokenizer and on any text; and the engine runs without them."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newswire.engine.extract import COMPILED, _between_tags, _between_tags_numpy
from newswire.engine.fingerprint import signature, signature_numpy

pytestmark = pytest.mark.skipif(COMPILED is None, reason="the compiled part is not built")

FRAGMENTS = [b"<", b">", b"<script", b"</script>", b"<SCRIPT type=x>", b"<style>", b"</style",
             b"<!--", b"-->", b"--", b"<scripts>", b"<p>", b"</p>", b"text ", b" words and more ",
             b'"<style"', b"application/ld+json", b"__NEXT_DATA__", b"__NUXT__", b"\xe2\x80\x99",
             b"\xc2\xa0", b"&amp;", b"\x00", b"\n"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=120), st.booleans())
def test_the_sift_is_the_same_compiled(parts, keep_data):
    body = b"".join(parts)
    assert _between_tags(body, keep_data) == _between_tags_numpy(body, keep_data)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=600), st.sampled_from([(32, 8), (16, 1), (24, 3)]))
def test_the_fingerprint_is_the_same_compiled(text, shape):
    window, sample = shape
    fast = signature(text, window=window, sample=sample).hashes
    slow = signature_numpy(text, window=window, sample=sample).hashes
    assert np.array_equal(fast, slow)


def test_the_engine_runs_and_finds_the_same_without_them(tmp_path):
    from ..factories import (
        article,
        ninjs,
        page_record,
        paragraphs,
        write_stories,
        write_terms,
        write_warc,
    )

    stories = write_stories(tmp_path / "s.jsonl", [ninjs("urn:t:a", paragraphs(1))])
    terms = write_terms(tmp_path / "t.json")
    crawl = tmp_path / "c.warc.gz"
    write_warc(crawl, [page_record("https://r.example/a", article(paragraphs(1))),
                       page_record("https://r.example/x", article(paragraphs(9)))])  # fmt: skip
    args = [sys.executable, "-m", "newswire", "scan", "--stories", str(stories), "--terms",
            str(terms), str(crawl)]  # fmt: skip
    compiled = subprocess.run(args, capture_output=True, text=True, check=True)
    pure = subprocess.run(args, capture_output=True, text=True, check=True,
                          env={**os.environ, "NEWSWIRE_PURE_PYTHON": "1"})  # fmt: skip
    assert compiled.stdout == pure.stdout and compiled.stdout.count("\n") == 1
