"""What the dashboard shows, as queries whose number does not grow with the data.

Every figure is an aggregate the database computes (counts with filters, one
GROUP BY per table); a page runs a fixed handful of queries whether the wire has
ten pickups or two hundred thousand (``tests/dashboard/test_queries.py`` counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from ..distribution.models import BeaconHit
from ..engine.types import CHECK_NAMES
from ..partners.models import Application, Partner
from ..pickups.models import Pickup, Site
from ..wire.models import Story

UNAUTHORISED = Q(partner__isnull=True) | ~Q(partner__status=Partner.Status.ACTIVE)
AUTHORISED = Q(partner__status=Partner.Status.ACTIVE)
FAILED_PHRASES = {
    "logo": "no logo",
    "byline": "reporter not credited",
    "affiliation": "byline without the wire",
    "link": "no link to the story",
    "restricted_media": "restricted photo used",
    "unedited": "text edited",
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


def copies_in(r: Range) -> QuerySet[Pickup]:
    return Pickup.objects.filter(first_seen__gte=r.since, first_seen__lt=r.until)


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


def overview(r: Range) -> Overview:
    copies = copies_in(r)
    totals = copies.aggregate(
        pickups=Count("id", filter=Q(kind="pickup")),
        excerpts=Count("id", filter=Q(kind="excerpt")),
        compliant=Count("id", filter=Q(kind="pickup", compliant=True)),
        sites=Count("site", distinct=True),
        unauthorised=Count("id", filter=UNAUTHORISED),
        unauthorised_sites=Count("site", distinct=True, filter=UNAUTHORISED),
    )
    beacon = BeaconHit.objects.filter(day__gte=r.start, day__lte=r.end).aggregate(
        pages=Count("id"), views=Coalesce(Sum("hits"), Value(0))
    )
    partners = copies.filter(AUTHORISED).values("partner_id")
    audience = Application.objects.filter(partner__in=Subquery(partners)).aggregate(
        readers=Coalesce(Sum("monthly_readers"), Value(0)), partners=Count("id")
    )
    out = Overview(
        **totals,
        pages_with_beacon=beacon["pages"],
        views=beacon["views"],
        audience=audience["readers"],
        audience_partners=audience["partners"],
    )
    out.series = daily_series(copies, r)
    return out


def daily_series(copies: QuerySet[Pickup], r: Range) -> list[dict[str, Any]]:
    """Copies first seen each day: compliant, not compliant (partners), unauthorised."""
    tz = timezone.get_current_timezone()
    rows = (
        copies.annotate(day=TruncDate("first_seen", tzinfo=tz))
        .values("day")
        .annotate(
            # (not named "compliant": an alias that shadows the field breaks the filters)
            n_compliant=Count("id", filter=AUTHORISED & Q(compliant=True)),
            n_not_compliant=Count("id", filter=AUTHORISED & Q(compliant=False)),
            n_unauthorised=Count("id", filter=UNAUTHORISED),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    layers = ("compliant", "not_compliant", "unauthorised")
    return [
        {"day": d, **{k: by_day[d][f"n_{k}"] if d in by_day else 0 for k in layers}}
        for d in r.days()
    ]


def top_stories(r: Range, limit: int = 10) -> list[dict[str, Any]]:
    return list(
        copies_in(r)
        .values("story_id", "story__headline", "story__slug")
        .annotate(
            copies=Count("id"),
            sites=Count("site", distinct=True),
            compliant_copies=Count("id", filter=Q(compliant=True)),
        )
        .order_by("-copies", "story_id")[:limit]
    )


def partner_ranking(r: Range | None = None, order: str = "compliance") -> QuerySet[Partner]:
    """Partners with copies, each with its counts and how often each check failed."""
    where = Q()
    if r is not None:
        where = Q(pickups__first_seen__gte=r.since, pickups__first_seen__lt=r.until)
    failed = {
        f"failed_{name}": Count("pickups", filter=where & Q(**{f"pickups__checks__{name}": False}))
        for name in CHECK_NAMES
    }
    # (django-stubs cannot see the annotations: "copies" below is one)
    qs = (
        Partner.objects.annotate(  # type: ignore[misc]
            copies=Count("pickups", filter=where),
            compliant=Count("pickups", filter=where & Q(pickups__compliant=True)),
            n_sites=Count("pickups__site", filter=where, distinct=True),
            **failed,
        )
        .filter(copies__gt=0)
        .annotate(rate=F("compliant") * 1.0 / F("copies"))
    )
    if order == "copies":
        return qs.order_by("-copies", "name")
    return qs.order_by("-rate", "-copies", "name")


def recurring_failures(partner: Any, least: int = 1) -> list[str]:
    """ "byline without the wire in 7 of 9 copies", most frequent first."""
    out = []
    for name in sorted(CHECK_NAMES, key=lambda n: -getattr(partner, f"failed_{n}", 0)):
        n = getattr(partner, f"failed_{name}", 0)
        if n >= least:
            out.append(f"{FAILED_PHRASES.get(name, name)} in {n} of {partner.copies} copies")
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
        copies=counted(per_story, Count("id")),
        sites=counted(per_story, Count("site", distinct=True)),
        compliant_copies=counted(per_story.filter(compliant=True), Count("id")),
        beacon_pages=counted(
            BeaconHit.objects.filter(story=OuterRef("pk")).order_by().values("story"),
            Count("id"),
        ),
    )
    q = (params.get("q") or "").strip()
    if q:
        stories = stories.filter(Q(headline__icontains=q) | Q(uri=q) | Q(slug=q))
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


def unauthorised_sites() -> QuerySet[Site]:
    return (
        Site.objects.filter(Q(partner__isnull=True) | ~Q(partner__status=Partner.Status.ACTIVE))
        .annotate(
            copies=Count("pickups"),
            stories=Count("pickups__story", distinct=True),
            compliant=Count("pickups", filter=Q(pickups__compliant=True)),
            last_seen=Coalesce(
                Subquery(
                    Pickup.objects.filter(site=OuterRef("pk"))
                    .order_by("-last_checked")
                    .values("last_checked")[:1]
                ),
                F("first_seen"),
            ),
        )
        .filter(copies__gt=0)
    )
