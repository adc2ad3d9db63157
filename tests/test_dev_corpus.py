"""The accuracy gate: the engine on the labelled dev corpus meets the issue's floors."""

from __future__ import annotations

import json

import pytest

from newswire.engine import Scanner, load_terms, read_stories, scan_inputs
from newswire.engine.types import Match, Story

from .conftest import shared_or_skip


@pytest.mark.slow
def test_dev_corpus_meets_the_floors() -> None:
    corpus = shared_or_skip("corpus", "dev")
    terms, _ = load_terms(corpus / "terms.json")
    stories = [s for s in read_stories(corpus / "stories.jsonl", terms) if isinstance(s, Story)]
    found = {
        (m.url, m.story): m
        for m in scan_inputs(Scanner(stories, terms), [corpus / "pages.warc.gz"])
        if isinstance(m, Match)
    }
    tp = fp = 0
    right = dict.fromkeys(
        ["logo", "byline", "affiliation", "link", "restricted_media", "unedited"], 0
    )
    positives = 0
    errors = []
    for line in (corpus / "truth.jsonl").read_text().splitlines():
        page = json.loads(line)
        truth = {s["story"]: s for s in page["stories"]}
        for uri, t in truth.items():
            if t["coverage"] >= 0.5:
                positives += 1
                m = found.get((page["url"], uri))
                if m is not None and m.kind == "pickup":
                    tp += 1
                    errors.append(abs(m.coverage - t["coverage"]))
                    for c in m.checks:
                        right[c.name] += c.passed == t["checks"][c.name]
        for (url, uri), m in found.items():
            if (
                url == page["url"]
                and m.kind == "pickup"
                and truth.get(uri, {}).get("coverage", 0) < 0.1
            ):
                fp += 1
    assert tp / (tp + fp) >= 0.99
    assert tp / positives >= 0.98
    assert sum(errors) / len(errors) <= 0.05
    for name, n in right.items():
        assert n / tp >= 0.98, name
