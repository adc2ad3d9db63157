"""The scan's record (engine/types.py): what Match.to_json writes is what MatchRecord says,
Match.from_json reads it back to the same record, and a record of another form is refused
with the field named."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from newswire.engine import Scanner, read_stories, scan_inputs
from newswire.engine.errors import ResultError
from newswire.engine.terms import load_terms
from newswire.engine.types import Match, MatchRecord, Story, _mismatch

DEMO = Path(__file__).resolve().parents[2] / "src" / "newswire" / "demo"


@pytest.fixture(scope="module")
def matches() -> list[Match]:
    terms, _ = load_terms(DEMO / "terms.json")
    stories = [s for s in read_stories(DEMO / "stories.jsonl", terms) if isinstance(s, Story)]
    found = [m for m in scan_inputs(Scanner(stories, terms), [DEMO / "pages.warc.gz"])
             if isinstance(m, Match)]  # fmt: skip
    assert len(found) >= 5
    return found


def test_every_record_the_scan_writes_is_of_the_record_type(matches):
    for m in matches:
        assert _mismatch(m.to_json(), MatchRecord, "record") == ""


def test_a_record_reads_back_to_the_same_record(matches):
    for m in matches:
        again = Match.from_json(m.to_json())
        assert again.to_json() == m.to_json()
        assert (again.failed, again.advisory_failed, again.edits) == (m.failed, m.advisory_failed,
                                                                      m.edits)  # fmt: skip


def test_an_older_record_with_only_what_a_result_needs_is_read():
    m = Match.from_json({"url": "https://a.example/x", "story": "urn:s", "kind": "pickup",
                         "coverage": 1, "checks": {"logo": None}, "compliant": True})  # fmt: skip
    assert m.coverage == 1.0 and m.text == () and m.found_in == "visible"
    assert m.edits["paragraphs_total"] == 0 and m.checks[0].passed is None


GOOD = {"url": "https://a.example/x", "story": "urn:s", "kind": "pickup", "coverage": 0.5,
        "checks": {"logo": True}, "compliant": True}  # fmt: skip


@pytest.mark.parametrize(
    "record, said",
    [
        ([1, 2], "not a JSON object"),
        ({"url": "https://a.example/x"}, "no story, kind, coverage, checks, compliant"),
        ({**GOOD, "coverage": "0.5"}, "coverage: expected a number, got a string"),
        ({**GOOD, "coverage": math.nan}, "coverage: nan is not between 0 and 1"),
        ({**GOOD, "coverage": 7}, "coverage: 7 is not between 0 and 1"),
        ({**GOOD, "compliant": "yes"}, "compliant: expected true or false, got a string"),
        ({**GOOD, "checks": ["logo"]}, "checks: expected an object, got a list"),
        ({**GOOD, "checks": {"logo": 1}}, "checks.logo: expected true or false or null"),
        ({**GOOD, "story": None}, "story: expected a string, got null"),
        ({**GOOD, "copy": {"text": ["a", 3]}}, "copy.text[1]: expected a string"),
        ({**GOOD, "copy": "text"}, "copy: expected an object, got a string"),
        ({**GOOD, "edits": {"changed": True}}, "edits.changed: expected a whole number"),
        ({**GOOD, "edits": {"changed": 1.5}}, "edits.changed: expected a whole number"),
        ({**GOOD, "evidence": {"logo": {"deep": 1}}}, "evidence.logo: expected a string"),
        ({**GOOD, "advisory": "canonical"}, "advisory: expected a list, got a string"),
    ],
)
def test_a_record_of_another_form_is_refused_naming_the_field(record, said):
    with pytest.raises(ResultError) as caught:
        Match.from_json(record, where="results.jsonl:7")
    assert str(caught.value).startswith("results.jsonl:7: ")
    assert said in str(caught.value)
    assert caught.value.reason == "bad_result"


def test_fields_a_record_does_not_know_are_left_alone():
    m = Match.from_json({**GOOD, "edits": {"changed": 2, "someday": 1}, "extra": {"x": 1}})
    assert m.edits["changed"] == 2 and "someday" not in m.edits
