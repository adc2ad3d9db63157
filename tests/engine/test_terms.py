from __future__ import annotations

import json
from pathlib import Path

import pytest

from newswire.engine import Scanner, TermsError, load_terms
from newswire.engine.terms import terms_from_dict, terms_to_dict
from newswire.engine.types import Page

from ..factories import TERMS, article, paragraphs


def test_roundtrip() -> None:
    terms, problems = terms_from_dict(TERMS)
    assert problems == [] and terms_from_dict(terms_to_dict(terms))[0] == terms


def test_missing_field_marks_its_check_unavailable(stories: list) -> None:
    data = {k: v for k, v in TERMS.items() if k != "logo"}
    terms, problems = terms_from_dict(data, source="t.json")
    assert [p.where for p in problems] == ["field 'logo'"] and "t.json" in str(problems[0])
    [m] = Scanner(stories, terms).scan_page(
        Page("https://x.org/p", article(paragraphs(1)).encode())
    )
    assert {c.name: c.passed for c in m.checks}["logo"] is None


def test_not_json_is_unusable_and_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    path.write_text('{\n  "wire": "X",\n  oops\n}')
    with pytest.raises(TermsError) as err:
        load_terms(path)
    assert "line 3" in str(err.value) and str(path) in str(err.value)


def test_unknown_names_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "terms.json"
    path.write_text(json.dumps(dict(TERMS, required=["logo", "tone"], allowed_edits=["shorten"])))
    terms, problems = load_terms(path)
    assert terms.required == ("logo",) and terms.allowed_edits == ()
    assert {p.reason for p in problems} == {"terms_bad_value"}
