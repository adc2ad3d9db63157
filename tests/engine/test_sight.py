"""The browser is the judge: the generated corpus (``sight.py``) loaded in Chromium, and
the reader view and the checks measured against what it shows (``docs/checks.md``, "What
a reader sees"). ``benchmarks/reader_view.py`` prints the same table."""

from __future__ import annotations

import pytest

from newswire.engine import Scanner, story_from_ninjs, terms_from_dict

from ..conftest import SHARED
from ..factories import TERMS, ninjs, paragraphs
from . import sight

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sight.CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (.ci/run installs it)"),
]  # fmt: skip


@pytest.fixture(scope="module")
def outcomes():
    pytest.importorskip("playwright")
    terms = terms_from_dict(TERMS)[0]
    story = story_from_ninjs(ninjs("urn:test:a", paragraphs(1), photo=sight.PHOTO), terms)
    return sight.run(SHARED if SHARED.exists() else None, Scanner([story], terms), terms)


def test_every_principle_has_ten_forms_or_more():
    by = {}
    for form in sight.forms():
        by.setdefault(form.principle, []).append(form)
    assert set(by) == {sight.HIDDEN, sight.SHOWN, sight.IMAGE, sight.CREDITED, sight.PICTURED}
    assert all(len(forms) >= 10 for forms in by.values()), {k: len(v) for k, v in by.items()}


def test_the_reader_view_agrees_with_chromium(outcomes):
    table = sight.summary(outcomes)
    right = sum(row["elements agree"][0] for row in table.values())
    total = sum(row["elements agree"][1] for row in table.values())
    assert total >= 400
    assert right / total >= 0.99, "\n".join(sight.disagreements(outcomes))


@pytest.mark.parametrize("check", ["logo", "byline", "restricted_media"])
def test_every_check_is_right_on_the_pages_as_chromium_shows_them(outcomes, check):
    table = sight.summary(outcomes)
    for principle, row in table.items():
        right, total = row[check]
        assert right / total >= 0.99, (principle, sight.disagreements(outcomes))


def test_the_judge_sees_both_ways(outcomes):
    """The corpus is no test if the browser saw everything, or nothing."""
    seen = [o.browser.get("logo") for o in outcomes]
    assert seen.count(True) >= 50 and seen.count(False) >= 40
