"""The partner's view of its own copies (``/partner/pickups/``, partner login).

Every query here starts from the signed-in user's partner: a copy of another
partner, or one on no partner's site, is not found by any URL or export.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from ..distribution.snippet import snippet_html
from ..partners.models import Partner
from ..pickups.models import Pickup
from ..pickups.record import PROBLEMS
from ..wire.models import Terms
from .queries import FAILED_PHRASES
from .tables import Column, csv_response

PARTNER_COPY_COLUMNS = [
    Column("story", "Story", csv=lambda p: p.story.headline),
    Column("url", "Page"),
    Column("kind", "Kind"),
    Column("compliant", "Compliant"),
    Column("fix", "To fix", csv=lambda p: "; ".join(FAILED_PHRASES.get(c, c) for c in p.to_fix)),
    Column("advisory", "Not required (advisory)",
           csv=lambda p: "; ".join(FAILED_PHRASES.get(c, c) for c in p.advisory)),
    Column("problems", "Problems",
           csv=lambda p: "; ".join(PROBLEMS.get(x, x) for x in p.problems or [])),
    Column("first_seen", "First seen"),
    Column("last_checked", "Last checked"),
]  # fmt: skip


@login_required
def partner_pickups(request: HttpRequest) -> HttpResponseBase:
    partner = Partner.objects.filter(members__pk=request.user.pk or 0).first()
    terms = Terms.current()
    required = set(terms.required or [])
    copies = (
        Pickup.objects.filter(partner=partner) if partner else Pickup.objects.none()
    ).select_related("story")
    if request.GET.get("show") != "all":
        copies = copies.filter(compliant=False) | copies.exclude(problems=[])
    copies = copies.order_by("compliant", "-last_checked", "-id")
    if request.GET.get("format") == "csv":
        rows = (_annotate(p, required) for p in copies.iterator(chunk_size=1000))
        return csv_response("our-copies.csv", PARTNER_COPY_COLUMNS, rows)
    page = Paginator(
        copies.prefetch_related("story__bylines__reporter", "story__media__licence"), 25
    ).get_page(request.GET.get("page"))
    items = []
    for p in page:
        _annotate(p, required)
        fix = p.to_fix  # type: ignore[attr-defined]
        items.append({"copy": p, "snippet": snippet_html(p.story, terms) if fix else ""})
    counts = (
        {
            "all": Pickup.objects.filter(partner=partner).count(),
            "to_fix": Pickup.objects.filter(partner=partner, compliant=False).count(),
        }
        if partner
        else {"all": 0, "to_fix": 0}
    )
    return render(
        request,
        "dashboard/partner_pickups.html",
        {"partner": partner, "page": page, "items": items, "counts": counts,
         "show": request.GET.get("show", ""), "problem_names": PROBLEMS,
         "phrases": FAILED_PHRASES},
    )  # fmt: skip


def _annotate(p: Pickup, required: set[str]) -> Pickup:
    p.to_fix = p.failed_under(required)  # type: ignore[attr-defined]
    p.advisory = p.advisory_under(required)  # type: ignore[attr-defined]
    return p
