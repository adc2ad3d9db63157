"""The partner's view of its own copies (``/partner/pickups/``, partner login).

Every query here starts from the signed-in user's partner: a copy of another
partner, or one on no partner's site, is not found by any URL or export.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..distribution.snippet import snippet_html
from ..partners.models import Partner
from ..pickups.models import Pickup, PickupCheck, RecheckAsk, Status, Via
from ..pickups.record import PROBLEMS, ask_recheck
from ..pickups.tasks import check_page
from ..wire.models import Story, Terms, released_q
from .notices import what_is_wrong
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
    # only copies of released stories: nothing of a story under embargo reaches a partner,
    # not even through a copy of it found on its own site (the editors see that as a break)
    mine = Pickup.objects.filter(partner=partner).shown_to_partners() if partner else (
        Pickup.objects.none()
    )
    copies = mine.select_related("story")
    if request.GET.get("show") != "all":
        copies = copies.filter(TO_FIX)
    # a withdrawn story's copy still up comes first: "take it down" before any fix
    copies = copies.annotate(
        take_down=Case(When(UP_AFTER_WITHDRAWAL, then=Value(0)), default=Value(1))
    ).order_by("take_down", "compliant", "-last_checked", "-id")
    if request.GET.get("format") == "csv":
        rows = (_annotate(p, required) for p in copies.iterator(chunk_size=1000))
        return csv_response("our-copies.csv", PARTNER_COPY_COLUMNS, rows)
    page = Paginator(
        copies.prefetch_related("story__bylines__reporter", "story__media__licence"), 25
    ).get_page(request.GET.get("page"))
    items = []
    now = timezone.now()
    latest = _latest_checks([p.pk for p in page])
    for p in page:
        _annotate(p, required)
        fix = p.to_fix  # type: ignore[attr-defined]
        asked = p.recheck_asked_at
        withdrawn = p.story.status == Story.Status.WITHDRAWN
        items.append({
            "copy": p,
            # what is wrong in a plain sentence with its evidence (never the page's markup)
            "fixes": [what_is_wrong(c, p, terms) for c in fix],
            # the snippet of a story still public (a withdrawn one is to be taken down)
            "snippet": snippet_html(p.story, terms) if fix and p.story.is_public() else "",
            "asked": asked if asked and now - asked < RECHECK_EVERY else None,
            "again_at": asked + RECHECK_EVERY if asked else None,
            # what the last check found, in words: above all when it could not read the page
            "outcome": _outcome(p, latest.get(p.pk)),
            # withdrawn: take it down (or it came down), never "carries everything"
            "withdrawn": withdrawn,
            "down": withdrawn and p.status == Status.GONE,
        })  # fmt: skip
    counts = {"all": mine.count(), "to_fix": mine.filter(TO_FIX).count()}
    return render(
        request,
        "dashboard/partner_pickups.html",
        {"partner": partner, "page": page, "items": items, "counts": counts,
         "show": request.GET.get("show", ""), "problem_names": PROBLEMS,
         "phrases": FAILED_PHRASES, "recheck_minutes": RECHECK_EVERY.seconds // 60,
         "notices": partner.compliance_notices.order_by("-created_at")[:20] if partner else [],
         # (a notice of a story not released is held: its headline is not shown either)
         "withdrawals": partner.withdrawal_notices.filter(channel="email")
         .select_related("story").order_by("-created_at")[:20] if partner else [],
         "corrections": partner.notices.filter(released_q(prefix="version__story__"))
         .select_related("version__story").order_by("-created_at")[:20] if partner else []},
    )  # fmt: skip


#: a copy of a withdrawn story that was not seen to come down: the partner must take it down
UP_AFTER_WITHDRAWAL = Q(story__status=Story.Status.WITHDRAWN) & ~Q(status=Status.GONE)
#: what the partner's page lists as to fix (a copy to take down is one; one taken down is
#: done, whatever it showed before)
TO_FIX = (Q(compliant=False) | ~Q(problems=[]) | UP_AFTER_WITHDRAWAL) & ~(
    Q(story__status=Story.Status.WITHDRAWN) & Q(status=Status.GONE)
)


# "I fixed it — check again": one check of a copy per RECHECK_EVERY, and at most
# RECHECKS_AN_HOUR a partner (a partner fixing a template asks for many at once; a script
# asking without end is turned away, and the worker stays free for everyone else)
RECHECK_EVERY = timedelta(minutes=15)
RECHECKS_AN_HOUR = 30


@login_required
@require_POST
def partner_recheck(request: HttpRequest, pk: int) -> HttpResponseBase:
    partner = Partner.objects.filter(members__pk=request.user.pk or 0).first()
    # another partner's copy, or one on no partner's site, is not found
    if partner is None:
        return redirect("dashboard:partner_pickups")
    pickup = get_object_or_404(Pickup.objects.shown_to_partners(), pk=pk, partner=partner)
    with transaction.atomic():
        # one ask of a partner at a time, on every web worker: the partner's row is locked
        # (PostgreSQL; SQLite's BEGIN IMMEDIATE already takes the whole database), so the
        # count below and the ask it admits are one step
        Partner.objects.select_for_update().filter(pk=partner.pk).first()
        now = timezone.now()  # (read under the lock: asks are counted in the order taken)
        pickup = Pickup.objects.select_for_update().get(pk=pickup.pk)
        # the asks taken in the last hour, a rolling window (not the copies asked about: a
        # copy asked again after 15 minutes is a second check)
        recent = RecheckAsk.objects.filter(partner=partner, at__gt=now - timedelta(hours=1)).count()
        if pickup.recheck_asked_at and now - pickup.recheck_asked_at < RECHECK_EVERY:
            wait = RECHECK_EVERY - (now - pickup.recheck_asked_at)
            messages.info(
                request,
                f"This copy is already queued to be checked again (asked at "
                f"{timezone.localtime(pickup.recheck_asked_at):%H:%M}); you can ask again in "
                f"{max(1, round(wait.total_seconds() / 60))} minutes.",
            )
        elif recent >= RECHECKS_AN_HOUR:
            messages.error(
                request,
                f"You have asked for {recent} checks in the last hour, the most we take: "
                "please try again later. We also check every copy again on our own.",
            )
        else:
            ask_recheck(pickup, now)
            RecheckAsk.objects.create(partner=partner, pickup=pickup, at=now)
            url = pickup.url
            transaction.on_commit(lambda: check_page.enqueue(url, Via.PARTNER))
            messages.success(
                request,
                "Thank you: we will check this copy again within a few minutes. "
                "Reload this page to see the result.",
            )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/partner/") else "dashboard:partner_pickups")


def _latest_checks(ids: list[int]) -> dict[int, PickupCheck]:
    latest: dict[int, PickupCheck] = {}
    for check in PickupCheck.objects.filter(pickup_id__in=ids).order_by("pickup_id", "-at", "-id"):
        latest.setdefault(check.pickup_id, check)  # type: ignore[arg-type]
    return latest


#: why a page could not be read, in words a partner can act on
_COULD_NOT: dict[str, str] = {
    Status.UNREACHABLE: "we could not reach your page",
    Status.GONE: "your page is gone (it answers that it is not there)",
    Status.BLOCKED: "we may not read your page",
    Status.NOT_HTML: "your page did not answer with a web page",
    Status.ROBOTS: "your site's robots.txt does not let us read the page",
    Status.TOO_LARGE: "your page is larger than we read",
}


def _outcome(p: Pickup, check: PickupCheck | None) -> dict[str, Any] | None:
    """The last check of a copy, when a partner needs to know of it: one it asked for that
    has been made since, or any that could not read the page (the problems shown are then
    from the last time the page could be read)."""
    if check is None:
        return None
    asked = p.recheck_asked_at
    answered = asked is not None and check.at >= asked
    withdrawn_at = p.story.withdrawn_at if p.story.status == Story.Status.WITHDRAWN else None
    if withdrawn_at is not None and check.at < withdrawn_at:
        return None  # (a check from before the withdrawal says nothing of it)
    if check.status == Status.GONE and withdrawn_at is not None:
        return {"ok": True, "at": check.at, "answered": answered,
                "text": "your page is gone, as we asked. Thank you."}  # fmt: skip
    if check.status != Status.OK:
        what = _COULD_NOT.get(check.status, "we could not read your page")
        return {"ok": False, "at": check.at, "answered": answered,
                "text": f"{what} ({check.reason or check.status}). What is listed here is "
                        "from the last time we could read it."}  # fmt: skip
    if not answered:
        return None
    if withdrawn_at is not None:  # (a withdrawn story: up or not, no verdict)
        return {"ok": False, "at": check.at, "answered": True,
                "text": "your page still shows the story we withdrew."}  # fmt: skip
    verdict = ("it carries everything our terms ask for." if check.compliant
               else "it still needs the fixes listed here.")  # fmt: skip
    return {"ok": True, "at": check.at, "answered": True, "text": verdict}


def _annotate(p: Pickup, required: set[str]) -> Pickup:
    p.to_fix = p.failed_under(required)  # type: ignore[attr-defined]
    p.advisory = p.advisory_under(required)  # type: ignore[attr-defined]
    return p
