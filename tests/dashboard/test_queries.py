"""The overview's figures, summed from the counts kept as rows, are the figures counted
from the copies themselves, over ranges of every shape: a day, part of a month, whole
months with days on either side, a year."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from newswire.dashboard import queries
from newswire.pickups.models import CHECK_NAMES, Pickup

from .conftest import add_copy, make_partner


@pytest.fixture
def spread(wire_terms, make_story):
    """Copies of three stories on three sites, first seen over about 100 days."""
    make_partner("Alpha Times", "alpha.example")
    make_partner("Beta Post", "beta.example")
    stories = [make_story(f"Story {n} about the council") for n in range(3)]
    today = timezone.localdate()
    hosts = ["alpha.example", "beta.example", "copycat.example"]
    for n in range(45):
        story = stories[n % 3 if n % 4 else 0]
        failed = ("logo",) if n % 3 == 0 else ("affiliation", "link") if n % 5 == 0 else ()
        copy = add_copy(story, f"https://{hosts[n % 3]}/{n}", failed=failed,
                        kind="excerpt" if n % 7 == 0 else "pickup")  # fmt: skip
        Pickup.objects.filter(pk=copy.pk).update(first_day=today - timedelta(days=n * 2 + 1))
    return today


def ranges(today: date) -> list[queries.Range]:
    month = today.replace(day=1)
    before = (month - timedelta(days=1)).replace(day=1)
    return [
        queries.Range(today - timedelta(days=3), today - timedelta(days=3)),
        queries.Range(today - timedelta(days=20), today),
        queries.Range(before, month - timedelta(days=1)),  # one whole month
        queries.Range(today - timedelta(days=75), today - timedelta(days=2)),  # months + edges
        queries.Range(today - timedelta(days=365), today),
    ]


def counted(r: queries.Range):
    copies = list(queries.copies_in(r))
    by_story, by_partner = Counter(), {}
    for p in copies:
        by_story[p.story_id] += 1
        if p.partner_id:
            row = by_partner.setdefault(p.partner_id, Counter())
            row["copies"] += 1
            row["compliant"] += p.compliant and p.kind == "pickup"  # (of pickups: issue 32)
            for n, name in enumerate(CHECK_NAMES):
                row[f"failed_{name}"] += (p.failed >> n) & 1
    return copies, by_story, by_partner


def test_the_figures_are_the_copies_own(spread):
    for r in ranges(spread):
        copies, by_story, by_partner = counted(r)
        figures = queries.overview(r)
        assert figures.pickups == sum(p.kind == "pickup" for p in copies)
        assert figures.excerpts == sum(p.kind == "excerpt" for p in copies)
        assert figures.compliant == sum(p.kind == "pickup" and p.compliant for p in copies)
        assert figures.unauthorised == sum(not p.authorised for p in copies)
        assert figures.sites == len({p.site_id for p in copies})
        assert figures.unauthorised_sites == len({p.site_id for p in copies if not p.authorised})
        series = {d["day"]: d for d in figures.series}
        for p in copies:
            assert series[p.first_day]["compliant"] + series[p.first_day]["not_compliant"] + \
                series[p.first_day]["unauthorised"] >= 1  # fmt: skip
        assert sum(d["compliant"] + d["not_compliant"] + d["unauthorised"]
                   for d in figures.series) == len(copies)  # fmt: skip
        top = queries.top_stories(r, limit=10)
        assert {row["story_id"]: row["copies"] for row in top} == dict(by_story)
        assert [row["copies"] for row in top] == sorted(by_story.values(), reverse=True)
        for row in top:  # (of pickups: an excerpt is in no compliance share, issue 32)
            assert row["compliant_copies"] == sum(
                p.compliant for p in copies if p.story_id == row["story_id"] and p.kind == "pickup"
            )
            assert row["pickup_copies"] == sum(
                p.kind == "pickup" for p in copies if p.story_id == row["story_id"]
            )
        ranked = queries.partner_ranking(r)
        assert {p.pk: {k: getattr(p, k) for k in by_partner[p.pk]} for p in ranked} == {
            pk: dict(row) for pk, row in by_partner.items()
        }


def test_a_site_count_is_the_same_by_either_way_of_counting(spread):
    for r in ranges(spread):
        copies, _, _ = counted(r)
        sites = len({p.site_id for p in copies})
        few, many = 0, 10**9  # (the figure decides the way: a few copies, or very many)
        assert queries.sites_with_copies(r, few) == queries.sites_with_copies(r, many) == sites
        unauthorised = len({p.site_id for p in copies if not p.authorised})
        assert queries.sites_with_copies(r, few, queries.UNAUTHORISED) == unauthorised
        assert queries.sites_with_copies(r, many, queries.UNAUTHORISED) == unauthorised


@pytest.mark.parametrize(
    "start, end, months",
    [
        ("2026-03-01", "2026-03-31", ("2026-03-01", "2026-03-01")),
        ("2026-03-02", "2026-03-31", None),
        ("2026-03-02", "2026-05-30", ("2026-04-01", "2026-04-01")),
        ("2025-12-03", "2026-12-03", ("2026-01-01", "2026-11-01")),
        ("2026-02-01", "2026-02-28", ("2026-02-01", "2026-02-01")),
        ("2026-02-10", "2026-02-20", None),
    ],
)
def test_the_whole_months_of_a_range(start, end, months):
    r = queries.Range(date.fromisoformat(start), date.fromisoformat(end))
    expected = months and tuple(date.fromisoformat(m) for m in months)
    assert queries.whole_months(r) == expected


def test_the_pages_run_as_many_queries_for_many_copies_as_for_few(spread, staff_client, make_story):
    """Every figure is an aggregate: more copies, stories and partners add no query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year = f"?from={spread - timedelta(days=365)}&to={spread}"
    pages = ["/dashboard/", f"/dashboard/{year}", "/dashboard/partners/", "/dashboard/copies/",
             "/dashboard/report/", "/dashboard/unauthorised/", "/dashboard/stories/"]  # fmt: skip

    def counts() -> list[int]:
        out = []
        for url in pages:
            with CaptureQueriesContext(connection) as ran:
                assert staff_client.get(url).status_code == 200
            out.append(len(ran))
        return out

    before = counts()
    make_partner("Gamma Gazette", "gamma.example")
    more = [make_story(f"Another story {n} on the budget") for n in range(4)]
    for n in range(40):
        copy = add_copy(more[n % 4], f"https://{('gamma', 'elsewhere', 'alpha')[n % 3]}"
                        f".example/more/{n}", failed=("logo",) if n % 2 else ())  # fmt: skip
        Pickup.objects.filter(pk=copy.pk).update(first_day=spread - timedelta(days=n * 5))
    assert counts() == before
