"""What the dashboard shows, as queries whose number does not grow with the data.

Every figure is an aggregate the database computes (counts with filters, one
GROUP BY per table); a page runs a fixed handful of queries whether the wire has
ten pickups or two hundred thousand (``tests/dashboard/test_queries.py`` counts).
The overview's figures over a range are sums over the counts the database keeps as rows
(``pickups.DayCount``, ``PartnerDay``, ``StoryMonth``: a few rows a day, kept exact by
triggers), so a year costs about what a month does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..distribution.models import BeaconHit
from ..partners.models import Application, Partner
from ..pickups.models import CHECK_NAMES, DayCount, PartnerDay, Pickup, Site, StoryMonth
from ..wire.models import Byline, Story, released_q

# What counted copies are counted by: a column of the covering indexes that is never null
# (COUNT("id") would make PostgreSQL read the table; Django allows no COUNT(*) FILTER)
ROW = "site"
UNAUTHORISED = Q(authorised=False)  # no partner, or one that is not active
AUTHORISED = Q(authorised=True)
FAILED_PHRASES = {
    "logo": "no logo",
    "byline": "reporter not credited",
    "affiliation": "byline without the wire",
    "link": "no link to the story",
    "restricted_media": "restricted photo used",
    "unedited": "text edited",
    "canonical": "no canonical link or noindex",
}


@dataclass(frozen=True)
class Range:
    """A date range, both ends included, in the site's time zone."""

    start: date
    end: date

    @classmethod
    def from_request(cls, params: Any, days: int = 30) -> Range:
        today = timezone.localdate()
        end = _date(params.get("to")) or today
        start = _date(params.get("from")) or end - timedelta(days=days - 1)
        if start > end:
            start, end = end, start
        return cls(start, end)

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def query(self) -> str:
        return f"from={self.start:%Y-%m-%d}&to={self.end:%Y-%m-%d}"


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def copies_in(r: Range | None) -> QuerySet[Pickup]:
    """Copies first seen in the range (all copies for None), without the default ordering."""
    qs = Pickup.objects.order_by()
    if r is None:
        return qs
    return qs.filter(first_day__gte=r.start, first_day__lte=r.end)


@dataclass
class Overview:
    pickups: int = 0
    excerpts: int = 0
    compliant: int = 0
    sites: int = 0
    unauthorised_sites: int = 0
    unauthorised: int = 0
    pages_with_beacon: int = 0
    views: int = 0
    audience: int = 0
    audience_partners: int = 0
    series: list[dict[str, Any]] = field(default_factory=list)

    @property
    def compliance(self) -> float | None:
        return self.compliant / self.pickups if self.pickups else None


def overview(r: Range, ranked: list[Partner] | None = None) -> Overview:
    """The range's figures; ``ranked`` (the range's :func:`partner_ranking`, when the page
    has it already) names the copying partners whose stated readers make the audience."""
    days = days_counted(r)  # one pass over the days gives the chart and the totals
    totals = {k: sum(d[f"t_{k}"] for d in days) for k in ("pickups", "excerpts", "compliant")}
    totals["unauthorised"] = sum(d["n_unauthorised"] for d in days)
    in_range = totals["pickups"] + totals["excerpts"]
    totals["sites"] = sites_with_copies(r, in_range)
    totals["unauthorised_sites"] = sites_with_copies(r, totals["unauthorised"], UNAUTHORISED)
    beacon = BeaconHit.objects.filter(day__gte=r.start, day__lte=r.end).aggregate(
        pages=Count("*"), views=Coalesce(Sum("hits"), Value(0))
    )
    if ranked is None:
        ranked = partner_ranking(r)
    copying = [p.pk for p in ranked if p.status == Partner.Status.ACTIVE]
    audience = Application.objects.filter(partner__in=copying).aggregate(
        readers=Coalesce(Sum("monthly_readers"), Value(0)), partners=Count("*")
    )
    out = Overview(
        **totals,
        pages_with_beacon=beacon["pages"],
        views=beacon["views"],
        audience=audience["readers"],
        audience_partners=audience["partners"],
    )
    out.series = daily_series(days, r)
    return out


def sites_with_copies(r: Range, copies: int, where: Q | None = None) -> int:
    """How many sites carry copies first seen in ``r`` (``where``: of those copies), given
    how many such copies there are. Few copies: their distinct sites, from the range's
    rows. Many (a year): each site asked whether it has one, a probe of the copies' site
    index that stops at the first; the same count, without reading every copy."""
    rows = copies_in(r) if where is None else copies_in(r).filter(where)
    if copies <= 4 * Site.objects.count():
        # (a DISTINCT subquery counts faster than COUNT(DISTINCT) on PostgreSQL)
        return rows.values("site_id").distinct().count()
    return Site.objects.filter(Exists(rows.filter(site=OuterRef("pk")))).count()


def days_counted(r: Range) -> list[dict[str, Any]]:
    """:func:`per_day`'s counts for the days of ``r``, summed from the kept day counts."""
    pickup, authorised = Q(kind="pickup"), Q(authorised=True)
    return list(
        DayCount.objects.filter(day__gte=r.start, day__lte=r.end)
        .values(first_day=F("day"))
        .annotate(
            t_pickups=Coalesce(Sum("n", filter=pickup), 0),
            t_excerpts=Coalesce(Sum("n", filter=Q(kind="excerpt")), 0),
            t_compliant=Coalesce(Sum("n", filter=pickup & Q(compliant=True)), 0),
            n_compliant=Coalesce(Sum("n", filter=authorised & Q(compliant=True)), 0),
            n_not_compliant=Coalesce(Sum("n", filter=authorised & Q(compliant=False)), 0),
            n_unauthorised=Coalesce(Sum("n", filter=Q(authorised=False)), 0),
        )
        .order_by("day")
    )


def per_day(copies: QuerySet[Pickup]) -> list[dict[str, Any]]:
    """The copies' counts for each day they were first seen (``t_``: the totals' counts,
    ``n_``: the chart's layers; no alias may shadow a field its filters read)."""
    return list(
        copies.values("first_day")
        .annotate(
            t_pickups=Count(ROW, filter=Q(kind="pickup")),
            t_excerpts=Count(ROW, filter=Q(kind="excerpt")),
            t_compliant=Count(ROW, filter=Q(kind="pickup", compliant=True)),
            n_compliant=Count(ROW, filter=AUTHORISED & Q(compliant=True)),
            n_not_compliant=Count(ROW, filter=AUTHORISED & Q(compliant=False)),
            n_unauthorised=Count(ROW, filter=UNAUTHORISED),
        )
        .order_by("first_day")
    )


def daily_series(days: list[dict[str, Any]], r: Range) -> list[dict[str, Any]]:
    """Copies first seen each day of ``r``: compliant, not compliant (partners), unauthorised."""
    by_day = {d["first_day"]: d for d in days}
    layers = ("compliant", "not_compliant", "unauthorised")
    return [
        {"day": day, **{k: by_day[day][f"n_{k}"] if day in by_day else 0 for k in layers}}
        for day in r.days()
    ]


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def whole_months(r: Range) -> tuple[date, date] | None:
    """The first days of the first and of the last month that ``r`` holds whole (None: it
    holds none)."""
    first = r.start if r.start.day == 1 else _next_month(r.start)
    ends_a_month = (r.end + timedelta(days=1)).day == 1
    last = (
        r.end.replace(day=1)
        if ends_a_month
        else (r.end.replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    return (first, last) if first <= last else None


def top_stories(r: Range, limit: int = 10) -> list[dict[str, Any]]:
    """The stories with the most copies first seen in ``r``: the months it holds whole
    summed from the kept month counts, the days before and after them from the copies."""
    compliant = Count(ROW, filter=Q(compliant=True))
    months = whole_months(r)
    if months is None:  # a few weeks: from the copies alone
        rows = list(
            copies_in(r).values("story_id")
            .annotate(copies=Count("*"), compliant_copies=compliant)
            .order_by("-copies", "story_id")[:limit]
        )  # fmt: skip
    else:
        rows = _top_from_months(r, *months, limit)
    stories = Story.objects.in_bulk([row["story_id"] for row in rows])
    _without_excerpts(r, rows)
    out = []
    for row in rows:
        story = stories.get(row["story_id"])
        if story is not None:  # (deleted since: its copies went with it)
            out.append({**row, "story__headline": story.headline, "story__slug": story.slug})
    return out


def _without_excerpts(r: Range, rows: list[dict[str, Any]]) -> None:
    """Each row's ``pickup_copies`` and ``compliant_copies`` without its excerpts: an excerpt is no
    copy to comply, so no compliance share counts it (the ranking is by all copies). The
    excerpts of the top stories only, read from the copies (few, and the index's)."""
    excerpts = {
        row["story_id"]: (row["n"], row["ok"])
        for row in copies_in(r).filter(kind="excerpt", story_id__in=[x["story_id"] for x in rows])
        .values("story_id").annotate(n=Count("*"), ok=Count(ROW, filter=Q(compliant=True)))
    }  # fmt: skip
    for row in rows:
        n, ok = excerpts.get(row["story_id"], (0, 0))
        row["pickup_copies"] = row["copies"] - n
        row["compliant_copies"] = row["compliant_copies"] - ok


def _top_from_months(r: Range, first: date, last: date, limit: int) -> list[dict[str, Any]]:
    """Top stories over whole months (their kept counts) and the days on either side (the
    copies), summed by the database. By hand because the ORM cannot group a UNION: the two
    parts are the ORM's own queries, and only the top rows come back."""
    months = (
        StoryMonth.objects.filter(month__gte=first, month__lte=last)
        .annotate(s=F("story_id"), k=F("n"), c=F("compliant")).values_list("s", "k", "c")
    )  # fmt: skip
    edges = (
        Pickup.objects.order_by()
        .filter(Q(first_day__gte=r.start, first_day__lt=first)
                | Q(first_day__gte=_next_month(last), first_day__lte=r.end))
        .annotate(s=F("story_id"), k=Value(1),
                  c=Case(When(compliant=True, then=Value(1)), default=Value(0)))
        .values_list("s", "k", "c")
    )  # fmt: skip
    sql_months, params_months = months.query.sql_with_params()
    sql_edges, params_edges = edges.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s, SUM(k) AS copies, SUM(c) AS compliant FROM ({sql_months} UNION ALL "
            f"{sql_edges}) AS parts GROUP BY s ORDER BY copies DESC, s LIMIT %s",
            [*params_months, *params_edges, limit],
        )
        return [
            {"story_id": s, "copies": int(k), "compliant_copies": int(c)}
            for s, k, c in cursor.fetchall()
        ]


def partner_ranking(
    r: Range | None = None, order: str = "compliance", only: Partner | None = None, q: str = ""
) -> list[Partner]:
    """Partners with copies (or ``only`` that one), each with its counts and how often
    each check failed.

    Summed from the kept per-partner day counts (one GROUP BY over a few rows a day),
    then the partners of the groups fetched at once.
    """
    counted = PartnerDay.objects.order_by()
    if r is not None:
        counted = counted.filter(day__gte=r.start, day__lte=r.end)
    if only is not None:
        counted = counted.filter(partner_id=only.pk)
    if q:
        counted = counted.filter(
            partner_id__in=Partner.objects.filter(name__icontains=q).values("pk")
        )
    failed = {f"failed_{name}": Sum(f"failed_{name}") for name in CHECK_NAMES}
    groups = (
        counted.values("partner_id")
        .annotate(copies=Sum("n"), compliant=Sum("compliant"), **failed)
        .annotate(rate=F("compliant") * 1.0 / F("copies"))
    )
    groups = (
        groups.order_by("-copies", "-rate", "partner_id")
        if order == "copies"
        else groups.order_by("-rate", "-copies", "partner_id")
    )
    rows = list(groups)
    # an excerpt is no copy to comply: the share is of pickups (the partners' excerpts are
    # few, read from the copies by the dashboard's index), and the ranking follows it
    excerpts = Pickup.objects.filter(kind="excerpt", partner_id__in=[x["partner_id"] for x in rows])
    if r is not None:
        excerpts = excerpts.filter(first_day__gte=r.start, first_day__lte=r.end)
    taken = {
        x["partner_id"]: (x["n"], x["ok"])
        for x in excerpts.order_by().values("partner_id")
        .annotate(n=Count("*"), ok=Count(ROW, filter=Q(compliant=True)))
    }  # fmt: skip
    if taken:
        for row in rows:
            n, ok = taken.get(row["partner_id"], (0, 0))
            pickups, row["compliant"] = row["copies"] - n, row["compliant"] - ok
            row["rate"] = row["compliant"] / pickups if pickups else None
        known = [x for x in rows if x["rate"] is not None]
        key = ((lambda x: (-x["copies"], -x["rate"], x["partner_id"])) if order == "copies"
               else (lambda x: (-x["rate"], -x["copies"], x["partner_id"])))  # fmt: skip
        rows = sorted(known, key=key) + [x for x in rows if x["rate"] is None]
    partners = Partner.objects.in_bulk([row["partner_id"] for row in rows])
    ranked = []
    for row in rows:
        partner = partners.get(row.pop("partner_id"))
        if partner is None:
            continue
        for name, value in row.items():
            setattr(partner, name, value)
        ranked.append(partner)
    return ranked


def recurring_failures(
    partner: Any, required: Collection[str], least: int = 1, *, advisory: bool = False
) -> list[str]:
    """ "byline without the wire in 7 of 9 copies", most frequent first: the checks in
    ``required`` (with ``advisory``, the others, which are never failures)."""
    out = []
    for name in sorted(CHECK_NAMES, key=lambda n: -getattr(partner, f"failed_{n}", 0)):
        if (name in required) == advisory:
            continue
        n = getattr(partner, f"failed_{name}", 0)
        if n >= least:
            copies = "copy" if partner.copies == 1 else "copies"
            out.append(f"{FAILED_PHRASES.get(name, name)} in {n} of {partner.copies} {copies}")
    return out


def latest_problems(limit: int = 10) -> QuerySet[Pickup]:
    return (
        Pickup.objects.exclude(problems=[])
        .select_related("story", "site", "partner")
        .order_by("-last_checked", "-id")[:limit]
    )


def story_table(params: Any) -> QuerySet[Story]:
    """Stories with their reach: copies, sites, compliant copies, pages showing the beacon."""
    per_story = Pickup.objects.filter(story=OuterRef("pk")).order_by().values("story")

    def counted(qs: QuerySet[Any], expr: Any) -> Any:
        return Coalesce(Subquery(qs.annotate(n=expr).values("n")[:1]), Value(0))

    stories = Story.objects.exclude(status=Story.Status.DRAFT).annotate(
        copies=counted(per_story, Count("*")),
        sites=counted(per_story, Count("site", distinct=True)),
        # (a share of pickups only: an excerpt is no copy to comply, issue 32)
        pickup_copies=counted(per_story.filter(kind="pickup"), Count("*")),
        compliant_copies=counted(per_story.filter(kind="pickup", compliant=True), Count("*")),
        beacon_pages=counted(
            BeaconHit.objects.filter(story=OuterRef("pk")).order_by().values("story"),
            Count("*"),
        ),
    )
    q = (params.get("q") or "").strip()
    if q:  # a headline's words, a reporter's name, or a story's URI or slug
        by = Byline.objects.filter(reporter__name__icontains=q).values("story")
        stories = stories.filter(Q(headline__icontains=q) | Q(uri=q) | Q(slug=q) | Q(pk__in=by))
    if params.get("desk"):
        stories = stories.filter(desk=params["desk"])
    if params.get("reporter"):
        stories = stories.filter(bylines__reporter__name=params["reporter"])
    since, until = _date(params.get("from")), _date(params.get("to"))
    if since:
        stories = stories.filter(published_at__date__gte=since)
    if until:
        stories = stories.filter(published_at__date__lte=until)
    return stories


SITE_SORTS = {
    "host": "site__host",  # (the one order that joins the sites table)
    "copies": "copies",
    "stories": "stories",
    "compliant": "n_compliant",
    "first_seen": "first",
    "last_seen": "last",
}


def unauthorised_sites(
    r: Range | None = None, order: str = "-copies", q: str = "", ignored: bool | None = None
) -> QuerySet[Any]:
    """One row per site that carries copies and belongs to no active partner (grouped on
    the site's own covering index; the host is fetched for the rows shown); ``q``: words
    of its host; ``ignored``: only the sites an editor ignored, or only the others."""
    desc, key = order.startswith("-"), order.lstrip("-")
    by = SITE_SORTS.get(key, "copies")
    copies = copies_in(r).filter(UNAUTHORISED)
    if q:
        copies = copies.filter(site__in=Site.objects.filter(host__icontains=q))
    if ignored is not None:  # the sites an editor ignored (True), or the others (False)
        copies = copies.filter(site__in=Site.objects.filter(ignored=ignored))
    return (
        copies.values("site_id")
        .annotate(
            copies=Count("*"),
            stories=Count("story", distinct=True),
            n_compliant=Count(ROW, filter=Q(compliant=True)),
            first=Min("first_seen"),
            last=Max("last_checked"),
        )
        .order_by(("-" if desc else "") + by, "site_id")
    )


def withdrawn_still_up(limit: int = 50) -> list[Pickup]:
    """Copies of withdrawn stories that their last check found still up, each with the
    withdrawal notice its partner was sent (``notice``: None for a site no one told)."""
    from ..distribution.models import WithdrawalNotice

    copies = [
        p for p in Pickup.objects.filter(story__status=Story.Status.WITHDRAWN)
        .exclude(problems=[]).select_related("story", "site", "partner")
        .order_by("-last_checked", "-id")[: limit * 4]
        if "withdrawn_still_up" in (p.problems or [])
    ][:limit]  # fmt: skip
    notices = {
        (n.partner_id, n.story_id): n
        for n in WithdrawalNotice.objects.filter(
            story__in={p.story_id for p in copies}, channel="email"
        )
    }
    for p in copies:
        p.notice = notices.get((p.partner_id or 0, p.story_id))  # type: ignore[attr-defined]
    return copies


def embargo_breaks(story: Story | None = None, days: int = 30, limit: int = 50) -> list[Pickup]:
    """Copies found on the web before their story's release (newest first): of one story,
    all of them; on the overview, those of the last ``days`` days and every one whose story
    is not released yet."""
    copies = Pickup.objects.embargo_broken().select_related("story", "site", "partner")
    if story is not None:
        copies = copies.filter(story=story)
    else:
        since = timezone.now() - timedelta(days=days)
        copies = copies.filter(Q(embargo_broken_at__gte=since) | ~released_q(prefix="story__"))
    return list(copies.order_by("-embargo_broken_at", "-id")[:limit])
