"""Corrections verified on copies, whatever the correction changed (issue 32, item 1): a
generated corpus of kinds of correction x kinds of copy, each verdict known in advance; and
the real path, a page fetched and checked, for the kinds the issue found reported wrong."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from newswire.pickups.corrections import verdict

BASE = [
    "The city council met on Monday night to weigh the budget for the coming year.",
    "Members argued for three hours, according to city records, before a first vote.",
    "Mayor Ellen Jonson said the plan keeps every library branch open through the winter.",
    "The council counted 1,284 letters from residents, most of them about the parks.",
    "Several residents spoke against the cuts. The parks director asked for more staff.",
    "The fire department will get two new engines, according to city records, next spring.",
    "A final vote is set for the first week of next month at the same hall.",
    "Residents can read the full budget at the library or on the city's website.",
]  # fmt: skip
HEADLINE = "Council Weighs Budget After Long Night"


def _edit(paras: list[str], n: int, old: str, new: str) -> list[str]:
    out = list(paras)
    assert old in out[n], (old, out[n])
    out[n] = out[n].replace(old, new, 1)
    return out


@dataclass
class Kind:
    name: str
    headline: tuple[str, str]
    bodies: list[list[str]]  # version 1, 2 (and 3)
    place: int  # the paragraph the (last) correction changed


KINDS = [
    Kind("number", (HEADLINE, HEADLINE), [BASE, _edit(BASE, 3, "1,284", "1,482")], 3),
    Kind("name", (HEADLINE, HEADLINE), [BASE, _edit(BASE, 2, "Jonson", "Johnson")], 2),
    Kind("added sentence", (HEADLINE, HEADLINE),
         [BASE, _edit(BASE, 4, "cuts.", "cuts. Two of them run a daycare near the park.")], 4),
    Kind("removed sentence", (HEADLINE, HEADLINE),
         [BASE, _edit(BASE, 4, " The parks director asked for more staff.", "")], 4),
    Kind("repeated phrase cut at one place", (HEADLINE, HEADLINE),
         [BASE, _edit(BASE, 5, ", according to city records,", "")], 5),
    Kind("rewritten paragraph", (HEADLINE, HEADLINE),
         [BASE, _edit(BASE, 4, BASE[4], "Nobody spoke against the cuts at the hearing, and "
                                         "the parks director made no request for staff.")], 4),
    Kind("headline", (HEADLINE, "Council Weighs Budget After Three-Hour Night"), [BASE, BASE], 0),
    Kind("two in a row", (HEADLINE, HEADLINE),
         [BASE, _edit(BASE, 3, "1,284", "1,482"),
          _edit(_edit(BASE, 3, "1,284", "1,482"), 2, "Jonson", "Johnson")], 3),
]  # fmt: skip


def _versions(kind: Kind) -> list[SimpleNamespace]:
    start = datetime(2026, 5, 10, 9, tzinfo=UTC)
    out = []
    for n, paras in enumerate(kind.bodies, start=1):
        headline = kind.headline[0] if n == 1 else kind.headline[1]
        out.append(SimpleNamespace(number=n, headline=headline, body="\n\n".join(paras),
                                   created_at=start + timedelta(days=n),
                                   note="" if n == 1 else f"Fixed ({kind.name}, {n})."))  # fmt: skip
    return out


def _copies(kind: Kind) -> list[tuple[str, str, str, bool]]:
    """(what the copy is, its text, its heading, whether it must be flagged)."""
    old, new = kind.bodies[-2], kind.bodies[-1]
    h_old, h_new = (kind.headline[0], kind.headline[1])
    place = kind.place
    copies = [
        ("old text", old, h_old, True),
        ("new text", new, h_new, False),
        ("excerpt before the change", old[:2], h_old, kind.name == "headline"),
        ("excerpt covering it, old", old[max(0, place - 1) : place + 2], h_old, True),
        ("excerpt covering it, new", new[max(0, place - 1) : place + 2], h_new, False),
        # allowed edits: the partner's own headline, the end trimmed after the change
        ("edited headline, trimmed end, old", old[: place + 2], "Budget Night at City Hall",
         kind.name != "headline"),
        ("edited headline, trimmed end, new", new[: place + 2], "Budget Night at City Hall",
         False),
    ]  # fmt: skip
    if kind.name == "two in a row":
        copies.append(("first version", kind.bodies[0], h_old, True))
    return copies


CASES = [(k, c) for k in KINDS for c in _copies(k)]


@pytest.mark.parametrize("kind, copy", CASES, ids=[f"{k.name}: {c[0]}" for k, c in CASES])
def test_every_kind_of_correction_on_every_kind_of_copy(kind, copy):
    what, paras, heading, flagged = copy
    found = verdict(_versions(kind), "\n\n".join(paras), heading)
    assert bool(found.missed) is flagged, (what, found.evidence())
    if flagged:
        said = found.evidence()
        assert said.startswith("still shows the text before the correction")
        assert "corrected to" in said and "Fixed (" in said


def test_two_corrections_in_a_row_say_which_version_the_copy_carries():
    kind = KINDS[-1]
    versions = _versions(kind)
    first = verdict(versions, "\n\n".join(kind.bodies[0]), HEADLINE)
    assert first.carries == 1 and "carries version 1 of 3: misses 2 of 2" in first.evidence()
    assert "2026-05-12" in first.evidence() and "2026-05-13" in first.evidence()
    second = verdict(versions, "\n\n".join(kind.bodies[1]), HEADLINE)
    assert second.carries == 2 and "carries version 2 of 3: misses 1 of 2" in second.evidence()
    assert "Mayor Ellen Jonson said" in second.evidence()
    third = verdict(versions, "\n\n".join(kind.bodies[2]), HEADLINE)
    assert third.carries == 3 and not third.missed and third.applied == [2, 3]


def test_a_change_a_later_correction_undid_is_not_asked_of_a_copy():
    added = _edit(BASE, 4, "cuts.", "cuts. Two of them run a daycare near the park.")
    kind = Kind("undone", (HEADLINE, HEADLINE), [BASE, added, BASE], 4)
    versions = _versions(kind)
    assert not verdict(versions, "\n\n".join(BASE), HEADLINE).missed  # the latest text
    kept = verdict(versions, "\n\n".join(added), HEADLINE)  # the text of version 2
    assert kept.missed and kept.carries == 2


def test_the_evidence_quotes_the_words_as_the_versions_wrote_them():
    kind = KINDS[0]
    said = verdict(_versions(kind), "\n\n".join(BASE), HEADLINE).evidence()
    was, became = said.split("corrected to", 1)
    assert "The council counted 1,284 letters from" in was
    assert "The council counted 1,482 letters from" in became


# --- the real path: a page fetched, read and checked -----------------------------------------


@pytest.mark.parametrize("kind", [KINDS[0], KINDS[1], KINDS[2], KINDS[4]],
                         ids=lambda k: k.name)  # fmt: skip
def test_a_fetched_copy_with_the_old_text_is_flagged_and_the_new_one_not(kind, make_story,
                                                                        wire_terms, settings):  # fmt: skip
    from newswire.distribution.snippet import snippet_html
    from newswire.pickups.check import check_urls
    from newswire.pickups.models import Pickup

    from ..fakesite import fake_site, html
    from .test_discovery import _commit_callbacks

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    body = "".join(f"<p>{p}</p>" for p in kind.bodies[0])
    story = make_story(HEADLINE, body=body)
    old = snippet_html(story)
    story.correct(body="".join(f"<p>{p}</p>" for p in kind.bodies[1]), note="Fixed it.")
    _commit_callbacks()
    with fake_site() as site:
        site.route("/old", html(old))
        site.route("/new", html(snippet_html(story)))
        list(check_urls([f"{site.url}/old", f"{site.url}/new"], via="submitted"))
    stale, fixed = (Pickup.objects.get(url__endswith=p) for p in ("/old", "/new"))
    assert stale.problems == ["correction_not_applied"], kind.name
    assert "still shows the text before the correction" in stale.evidence["correction"]
    assert fixed.problems == [], (kind.name, fixed.evidence.get("correction"))


def test_a_copy_is_measured_against_the_version_it_carries(make_story, wire_terms, settings):
    """(issue 32, item 2) After a 3-word cut an unchanged copy is the first version, whole:
    its coverage, edits, the copy page's version and why? all say so, and agree."""
    from newswire.distribution.snippet import snippet_html
    from newswire.pickups.check import check_urls
    from newswire.pickups.explain import explain_recorded
    from newswire.pickups.models import Pickup

    from ..fakesite import fake_site, html
    from .test_discovery import _commit_callbacks

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story(HEADLINE, body="".join(f"<p>{p}</p>" for p in BASE))
    old = snippet_html(story)
    cut = _edit(BASE, 5, ", according to city records,", "")
    story.correct(body="".join(f"<p>{p}</p>" for p in cut), note="Cut a repeated phrase.")
    _commit_callbacks()
    with fake_site() as site:
        site.route("/old", html(old))
        site.route("/new", html(snippet_html(story)))
        list(check_urls([f"{site.url}/old", f"{site.url}/new"], via="submitted"))
    stale, fixed = (Pickup.objects.get(url__endswith=p) for p in ("/old", "/new"))
    assert stale.version.number == 1 and fixed.version.number == 2
    assert stale.coverage >= 0.95 and fixed.coverage >= 0.95, (stale.coverage, stale.edits)
    assert not any(v for k, v in stale.edits.items() if k.startswith("dropped")), stale.edits
    report = explain_recorded(stale)
    assert report["plain"][0].startswith("Read against version 1 of 2")
    (entry,) = report["stories"]
    assert abs(entry["coverage"] - stale.coverage) < 0.02, (entry["coverage"], stale.coverage)
