"""The editors' dashboard (staff only): overview, stories, a story's copies with their
diff, partners, unauthorised sites, actions (check a URL, re-check, draft a notice),
CSV exports of every table and a printable report."""

from __future__ import annotations

import time
from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..distribution.models import Invitation
from ..distribution.notices import send_invitation
from ..partners.models import Partner, PartnerDomain
from ..pickups.check import check_urls, page_fetcher
from ..pickups.diff import diff
from ..pickups.models import (
    CHECK_NAMES,
    CopyScreenshot,
    PartnerDay,
    Pickup,
    PickupCheck,
    Site,
    SiteDecision,
    Status,
    Via,
    with_bit,
)
from ..pickups.record import PROBLEMS, change_hands
from ..pickups.screenshot import unavailable as screenshot_unavailable
from ..pickups.tasks import check_page, take_screenshot
from ..pickups.watch import by_partner
from ..wire.cache import current_terms
from ..wire.models import Reporter, Story, Terms
from . import queries
from .chart import chart
from .explanation import explanation
from .forms import CheckForm, ExplainForm, InviteForm, NoticeForm
from .notices import draft, send
from .tables import Column, csv_response, ordering

PER_PAGE = 50


def _page(request: HttpRequest, qs: Any, per_page: int = PER_PAGE) -> Any:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _query(request: HttpRequest, **changes: Any) -> str:
    """This page's query string with ``changes`` (for sort links, pages, exports)."""
    params = {k: v for k, v in request.GET.items() if k not in changes and k != "page"}
    params.update({k: v for k, v in changes.items() if v not in (None, "")})
    return urlencode(params)


def _chunks(qs: QuerySet[Any]) -> Any:
    return qs.iterator(chunk_size=2000)


def _pct(n: int, of: int) -> str:
    return f"{n / of:.0%}" if of else ""


def _headers(request: HttpRequest, columns: list[Column], sort: str) -> list[dict[str, str]]:
    """Each column's heading, with the link that sorts by it (again: the other way)."""
    out = []
    for c in columns:
        aria = "ascending" if sort == c.key else "descending" if sort == "-" + c.key else ""
        href = _query(request, sort=("-" if sort == c.key else "") + c.key) if c.sort else ""
        out.append({"label": c.label, "href": href, "aria": aria})
    return out


# --- overview ------------------------------------------------------------------


def _share(row: dict[str, Any]) -> str:
    """The compliant copies' share of a row's copies, as the CSV gives it ("0.333")."""
    pickups = row.get("pickup_copies", row["copies"])  # (excerpts are in no compliance share)
    return f"{row['compliant_copies'] / pickups:.3f}" if pickups else ""


@staff_member_required
def overview(request: HttpRequest) -> HttpResponseBase:
    r = queries.Range.from_request(request.GET)
    everyone = queries.partner_ranking(r)
    figures = queries.overview(r, everyone)
    top = queries.top_stories(r)
    ranked = everyone[:10]
    by_copies = sorted(ranked, key=lambda p: (-p.copies, p.name))  # type: ignore[attr-defined]
    table = request.GET.get("table")
    if _wants_csv(request) and table in ("top_stories", "partners", "daily"):
        if table == "top_stories":
            cols = [Column("story__headline", "Story"), Column("copies", "Copies"),
                    Column("compliant_copies", "Compliant copies"),
                    Column("share", "Compliant (share)", csv=_share)]  # fmt: skip
            return csv_response(f"top-stories-{r.start}-{r.end}.csv", cols, top)
        if table == "daily":
            cols = [Column("day", "Day"), Column("compliant", "Compliant"),
                    Column("not_compliant", "Not compliant"),
                    Column("unauthorised", "Unauthorised")]  # fmt: skip
            return csv_response(f"copies-by-day-{r.start}-{r.end}.csv", cols, figures.series)
        return csv_response(f"partners-{r.start}-{r.end}.csv", PARTNER_COLUMNS, ranked)
    return render(
        request,
        "dashboard/overview.html",
        {
            "range": r,
            "figures": figures,
            "chart": chart(figures.series),
            "top": top,
            "ranked": ranked,
            "by_copies": by_copies,
            "problems": queries.latest_problems(),
            "still_up": queries.withdrawn_still_up(),
            "breaks": queries.embargo_breaks(),
            "problem_names": PROBLEMS,
            "section": "overview",
            "repeat_minutes": settings.NEWSWIRE_BEACON_REPEAT_SECONDS // 60,
        },
    )


# --- stories -------------------------------------------------------------------

STORY_COLUMNS = [
    Column("headline", "Story", sort="headline"),
    Column("desk", "Desk", sort="desk"),
    Column("published_at", "Published", sort="published_at"),
    Column("copies", "Copies", sort="copies"),
    Column("sites", "Sites", sort="sites"),
    Column("compliant_copies", "Compliant copies", sort="compliant_copies"),
    # the share the screen shows, beside the count
    Column(
        "compliant_share",
        "Compliant (share)",
        csv=lambda s: f"{s.compliant_copies / s.pickup_copies:.3f}" if s.pickup_copies else "",
    ),
    Column("beacon_pages", "Pages with beacon", sort="beacon_pages"),
    Column("uri", "URI"),
]


# on the screen: the compliant copies as a share of the copies (sorted by their count)
STORY_HTML_COLUMNS = [
    Column("compliant_copies", "Compliant", sort="compliant_copies")
    if c.key == "compliant_copies" else c
    for c in STORY_COLUMNS if c.key not in ("uri", "compliant_share")
]  # fmt: skip


@staff_member_required
def stories(request: HttpRequest) -> HttpResponseBase:
    order, sort = ordering(STORY_COLUMNS, request.GET.get("sort", ""), "-published_at")
    qs = queries.story_table(request.GET).order_by(order, "-id")
    if _wants_csv(request):
        return csv_response("stories.csv", STORY_COLUMNS, _chunks(qs))
    context = {
        "page": _page(request, qs),
        "headers": _headers(request, STORY_HTML_COLUMNS, sort),
        "sort": sort,
        "desks": Story.objects.exclude(desk="")
        .order_by("desk")
        .values_list("desk", flat=True)
        .distinct(),
        "reporters": Reporter.objects.order_by("name").values_list("name", flat=True),
        "params": request.GET,
        "query": _query(request),
        "section": "stories",
    }
    template = "dashboard/_stories_table.html" if request.htmx else "dashboard/stories.html"  # type: ignore[attr-defined]
    return render(request, template, context)


COPY_COLUMNS = [
    Column("url", "Page"),
    Column("site", "Site", sort="site__host", csv=lambda p: p.site.host),
    Column("partner", "Partner", sort="partner__name",
           csv=lambda p: p.partner.name if p.partner and not p.unauthorised else "unauthorised"),
    Column("kind", "Kind", sort="kind"),
    Column("coverage", "Coverage", sort="coverage", csv=lambda p: f"{p.coverage:.3f}"),
    Column("compliant", "Compliant", sort="compliant"),
    Column("failed", "Failed checks", csv=lambda p: " ".join(p.failed_checks)),
    Column("advisory", "Advisory checks not met", csv=lambda p: " ".join(p.advisory_failed)),
    Column("problems", "Problems", csv=lambda p: " ".join(p.problems or [])),
    Column("status", "Status", sort="status"),
    Column("published", "Published (as the page says)"),
    Column("first_seen", "First seen", sort="first_seen"),
    Column("last_checked", "Last checked", sort="last_checked"),
]  # fmt: skip


def _copies(qs: QuerySet[Pickup], request: HttpRequest) -> QuerySet[Pickup]:
    """The copies the page's filters leave: compliant or not, whose, a failing check, a
    partner, a site, kind, status, first seen between two dates, and words of the page's
    URL, its site or its story's headline."""
    get = request.GET
    qs = qs.select_related("site", "partner", "story")
    if get.get("compliant") in ("yes", "no"):  # (of pickups: an excerpt is neither)
        qs = qs.filter(kind="pickup", compliant=get["compliant"] == "yes")
    if get.get("who") == "unauthorised":
        qs = qs.filter(queries.UNAUTHORISED)
    elif get.get("who") == "partners":
        qs = qs.filter(queries.AUTHORISED)
    if get.get("status") in Status.values:
        qs = qs.filter(status=get["status"])
    if get.get("kind") in ("pickup", "excerpt"):
        qs = qs.filter(kind=get["kind"])
    if get.get("failing") in CHECK_NAMES:  # a required check it fails (advisory ones: never)
        qs = qs.filter(failed__in=with_bit(get["failing"]))
    if (get.get("partner") or "").isdigit():
        qs = qs.filter(partner_id=int(get["partner"]))
    site = (get.get("site") or "").strip().lower()
    if site:
        qs = qs.filter(site__host__icontains=site)
    since, until = queries._date(get.get("from")), queries._date(get.get("to"))
    if since:
        qs = qs.filter(first_day__gte=since)
    if until:
        qs = qs.filter(first_day__lte=until)
    q = (get.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(url__icontains=q) | Q(story__headline__icontains=q)
                       | Q(site__host__icontains=q))  # fmt: skip
    order, _ = ordering(COPY_COLUMNS, get.get("sort", ""), "-first_seen")
    return qs.order_by(order, "-id")


def _copies_page(
    request: HttpRequest, copies: QuerySet[Pickup], filename: str, template: str, **context: Any
) -> HttpResponseBase:
    """A list of copies with its filters: the page, or all of it as CSV."""
    qs = _copies(copies, request)
    if _wants_csv(request):
        return csv_response(filename, COPY_COLUMNS, _chunks(qs))
    return render(
        request,
        template,
        {
            "page": _page(request, qs),
            "params": request.GET,
            "query": _query(request),
            "problem_names": PROBLEMS,
            "check_names": CHECK_NAMES,
            "statuses": Status.choices,
            **context,
        },
    )


@staff_member_required
def all_copies(request: HttpRequest) -> HttpResponseBase:
    """Every copy of every story, with the filters, search and CSV of the other lists."""
    with_copies = PartnerDay.objects.values("partner_id")  # (kept counts: no copy read)
    return _copies_page(request, Pickup.objects.all(), "copies.csv", "dashboard/copies.html",
                        section="copies", all_copies=True,
                        partners=Partner.objects.filter(pk__in=with_copies)
                        .order_by("name").values_list("pk", "name"))  # fmt: skip


@staff_member_required
def story_copies(request: HttpRequest, slug: str) -> HttpResponseBase:
    story = get_object_or_404(Story, slug=slug)
    return _copies_page(request, Pickup.objects.filter(story=story), f"copies-{story.slug}.csv",
                        "dashboard/story.html", story=story, section="stories",
                        breaks=queries.embargo_breaks(story))  # fmt: skip


@staff_member_required
def copy_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    pickup = get_object_or_404(
        Pickup.objects.select_related("story", "site", "partner", "version"), pk=pk
    )
    version = pickup.version
    headline = version.headline if version else pickup.story.headline
    body = version.body if version else pickup.story.body
    return render(
        request,
        "dashboard/copy.html",
        {
            "pickup": pickup,
            "explained": explanation(pickup, Terms.current()),
            "screenshot": pickup.screenshots.first(),
            "screenshots_unavailable": screenshot_unavailable(),
            "diff": diff(headline, body, pickup.headline, pickup.text) if pickup.text else None,
            "history": pickup.history.all()[:50],
            "problem_names": PROBLEMS,
            "section": "stories",
        },
    )


@staff_member_required
@require_POST
def recheck(request: HttpRequest, pk: int) -> HttpResponseBase:
    pickup = get_object_or_404(Pickup, pk=pk)
    with page_fetcher(total_timeout=PAGE_SECONDS) as fetcher:
        done = next(iter(check_urls([pickup.url], via=Via.RECHECK, fetcher=fetcher)))
    if done.status == "ok":
        messages.success(request, f"Re-checked: {len(done.found)} copies on the page.")
    else:
        messages.error(request, f"Could not check the page: {done.reason}")
    return redirect("dashboard:copy", pk=pk)


@staff_member_required
@require_POST
def screenshot(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Ask a worker with Chromium for a screenshot of the copy as a reader sees it."""
    pickup = get_object_or_404(Pickup, pk=pk)
    why = screenshot_unavailable()
    if why:
        messages.error(request, f"No screenshot: {why}.")
    else:
        take_screenshot.enqueue(pickup.pk)
        messages.success(request, "A screenshot is being taken; it appears here when the "
                         "worker has taken it (reload in a minute).")  # fmt: skip
    return redirect(reverse("dashboard:copy", kwargs={"pk": pk}) + "#screenshot")


@staff_member_required
def screenshot_file(request: HttpRequest, pk: int, shot: int) -> HttpResponseBase:
    """A kept screenshot, to editors only (not under the public media URL)."""
    kept = get_object_or_404(CopyScreenshot, pk=shot, pickup_id=pk)
    try:
        return FileResponse(kept.image.open("rb"), content_type="image/png")
    except FileNotFoundError:
        raise Http404("the screenshot's file is gone") from None


# --- partners and unauthorised sites --------------------------------------------

PARTNER_COLUMNS = [
    Column("name", "Partner"),
    Column("copies", "Copies"),
    Column("compliant", "Compliant"),
    Column("rate", "Compliance", csv=lambda p: f"{p.rate:.3f}"),
    Column("failures", "Recurring failures", csv=lambda p: "; ".join(p.failures)),
    Column("advisory", "Advisory (not required by the terms)",
           csv=lambda p: "; ".join(p.advisory)),
]  # fmt: skip


@staff_member_required
def partners(request: HttpRequest) -> HttpResponseBase:
    order = "copies" if request.GET.get("sort") == "copies" else "compliance"
    q = (request.GET.get("q") or "").strip()
    ranked = queries.partner_ranking(order=order, q=q)
    required = set(current_terms().required or ())
    if _wants_csv(request):
        return csv_response("partners.csv", PARTNER_COLUMNS,
                            (_with_failures(p, required) for p in ranked))  # fmt: skip
    page = _page(request, ranked)
    timing = by_partner([p.pk for p in page])
    for p in page:
        _with_failures(p, required)
        p.to_correct = timing.get(p.pk)
    return render(
        request,
        "dashboard/partners.html",
        {"page": page, "order": order, "q": q, "query": _query(request), "section": "partners"},
    )


def _with_failures(partner: Any, required: set[str]) -> Any:
    partner.failures = queries.recurring_failures(partner, required)
    partner.advisory = queries.recurring_failures(partner, required, advisory=True)
    return partner


@staff_member_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    partner = get_object_or_404(Partner, pk=pk)
    ranked = next(iter(queries.partner_ranking(only=partner)), None)
    required = set(current_terms().required or ())
    return _copies_page(
        request,
        Pickup.objects.filter(partner=partner),
        f"copies-partner-{partner.pk}.csv",
        "dashboard/partner.html",
        partner=partner,
        failures=queries.recurring_failures(ranked, required) if ranked else [],
        advisory=queries.recurring_failures(ranked, required, advisory=True) if ranked else [],
        ranked=ranked,
        notices=partner.compliance_notices.all()[:20],
        corrections=partner.notices.select_related("version__story")[:20],
        to_correct=by_partner([partner.pk]).get(partner.pk),
        withdrawals=partner.withdrawal_notices.select_related("story")[:20],
        section="partners",
    )


def _with_sites(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sites = Site.objects.select_related("partner").in_bulk([row["site_id"] for row in rows])
    for row in rows:
        row["site"] = sites[row["site_id"]]
        row["site__host"] = row["site"].host
    return rows


def _with_hosts(rows: Any) -> Any:
    """The CSV's rows with their hosts, a chunk at a time."""
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == 2000:
            yield from _with_sites(chunk)
            chunk = []
    yield from _with_sites(chunk)


SITE_COLUMNS = [
    Column("site__host", "Site"),
    Column("copies", "Copies"),
    Column("stories", "Stories"),
    Column("n_compliant", "Compliant copies"),
    Column("first", "First seen"),
    Column("last", "Last checked"),
]


@staff_member_required
def unauthorised(request: HttpRequest) -> HttpResponseBase:
    sort = request.GET.get("sort", "-copies")
    q = (request.GET.get("q") or "").strip()
    show_ignored = request.GET.get("ignored") == "1"
    rows = queries.unauthorised_sites(order=sort, q=q, ignored=show_ignored)
    hidden = 0 if show_ignored else queries.unauthorised_sites(ignored=True).count()
    if _wants_csv(request):
        return csv_response("unauthorised-sites.csv", SITE_COLUMNS, _with_hosts(_chunks(rows)))
    page = _page(request, rows)
    _with_sites(list(page))
    headers = [
        {"label": c.label, "key": k} for c, k in zip(SITE_COLUMNS, queries.SITE_SORTS, strict=True)
    ]
    for h in headers:
        h["href"] = _query(request, sort=("" if sort == "-" + h["key"] else "-") + h["key"])
        h["aria"] = ("descending" if sort == "-" + h["key"] else
                     "ascending" if sort == h["key"] else "")  # fmt: skip
    return render(
        request,
        "dashboard/unauthorised.html",
        {
            "page": page,
            "headers": headers,
            "q": q,
            "sort": sort,
            "query": _query(request),
            "show_ignored": show_ignored,
            "hidden": hidden,
            "section": "unauthorised",
        },
    )


@staff_member_required
def site_copies(request: HttpRequest, host: str) -> HttpResponseBase:
    site = get_object_or_404(Site.objects.select_related("partner"), host=host)
    example = Pickup.objects.filter(site=site).order_by("-first_seen").first()
    subject, body = invitation_draft(site, example)
    return _copies_page(
        request, Pickup.objects.filter(site=site), f"copies-{site.host}.csv", "dashboard/site.html",
        site=site, section="unauthorised",
        decisions=site.decisions.select_related("partner", "by", "invitation")[:20],
        invite_form=InviteForm(initial={"subject": subject, "body": body}),
        partners_to_choose=Partner.objects.filter(status=Partner.Status.ACTIVE).order_by("name"),
    )  # fmt: skip


def invitation_draft(site: Site, example: Pickup | None) -> tuple[str, str]:
    """(subject, body) of an invitation to apply, for the editor to edit before sending."""
    terms = Terms.current()
    copies = Pickup.objects.filter(site=site).count()
    lines = [
        "Hello,",
        "",
        f"We found {copies} cop{'y' if copies == 1 else 'ies'} of {terms.wire}'s stories on "
        f"{site.host}" + (f", for example:\n  {example.url}" if example else "."),
        "",
        f"{terms.wire}'s stories are free to republish for our partners. "
        + (f"Our terms: {terms.shown_text}" if terms.shown_text else ""),
        "",
        "To republish them as a partner (with the attribution built in, and the corrections "
        f"sent to you), apply here: {settings.SITE_URL}{reverse('partners:apply')}",
        "",
        "With thanks,",
        terms.wire + (f" <{terms.contact}>" if terms.contact else ""),
    ]
    return f"{terms.wire}: republish our stories as a partner", "\n".join(lines)


@staff_member_required
@require_POST
def site_decide(request: HttpRequest, host: str) -> HttpResponseBase:
    """An editor's decision about a site carrying copies: ignore it, say it belongs to a
    partner (adds the partner's domain), invite it to apply, or list it again. Recorded."""
    site = get_object_or_404(Site, host=host)
    action, note = request.POST.get("action"), (request.POST.get("note") or "").strip()[:2000]
    by = request.user if isinstance(request.user, User) else None
    if action == SiteDecision.Action.IGNORE:
        with transaction.atomic():
            Site.objects.filter(pk=site.pk).update(ignored=True)
            SiteDecision.objects.create(site=site, action=action, note=note, by=by)
        messages.success(request, f"{site.host} is ignored: it is no longer listed as an "
                                  "unauthorised site (its copies are still counted).")  # fmt: skip
    elif action == SiteDecision.Action.RELIST:
        with transaction.atomic():
            Site.objects.filter(pk=site.pk).update(ignored=False)
            SiteDecision.objects.create(site=site, action=action, note=note, by=by)
        messages.success(request, f"{site.host} is listed again.")
    elif action == SiteDecision.Action.PARTNER:
        partner = Partner.objects.filter(pk=request.POST.get("partner") or 0).first()
        taken = PartnerDomain.objects.filter(domain=site.host).select_related("partner").first()
        if partner is None:
            messages.error(request, "Choose the partner the site belongs to.")
        elif taken is not None and taken.partner_id != partner.pk:
            messages.error(request, f"{site.host} is already a domain of {taken.partner.name}: "
                                    "change it in the admin if that is wrong.")  # fmt: skip
        else:
            with transaction.atomic():
                # (the domain's signal moves a site with no partner; this one may have a
                # partner that is not active: moved here as the signal moves them)
                PartnerDomain.objects.get_or_create(domain=site.host, defaults={"partner": partner})
                Site.objects.filter(pk=site.pk).update(partner=partner)
                change_hands(Pickup.objects.filter(site=site), partner)
                SiteDecision.objects.create(site=site, action=action, partner=partner,
                                            note=note, by=by)  # fmt: skip
            messages.success(request, f"{site.host} is {partner.name}'s: its copies are "
                                      f"{partner.name}'s from now on.")  # fmt: skip
    elif action == SiteDecision.Action.INVITE:
        form = InviteForm(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                "Not sent: "
                + "; ".join(
                    f"{name}: {' '.join(str(e) for e in errors)}"
                    for name, errors in form.errors.items()
                ),
            )
        else:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    host=site.host, to=form.cleaned_data["to"], by=by,
                    subject=form.cleaned_data["subject"][:300], body=form.cleaned_data["body"],
                )  # fmt: skip
                SiteDecision.objects.create(site=site, action=action, invitation=invitation,
                                            note=note, by=by)  # fmt: skip
                transaction.on_commit(partial(send_invitation.enqueue, invitation.pk))
            messages.success(request, f"Invitation to {form.cleaned_data['to']} queued "
                                      "for sending.")  # fmt: skip
    else:
        messages.error(request, "No such decision.")
    return redirect("dashboard:site", host=site.host)


# --- actions ---------------------------------------------------------------------


# A check made while an editor waits: each page gets at most PAGE_SECONDS, the form
# CHECK_SECONDS in all (a web worker is stopped after 30 s); pages not reached by then go
# to `newswire worker` and show under "Recently submitted".
PAGE_SECONDS = 8.0
CHECK_SECONDS = 18.0


@staff_member_required
def check_url(request: HttpRequest) -> HttpResponseBase:
    form = CheckForm(request.POST or None)
    results: list[Any] = []
    queued: list[str] = []
    if request.method == "POST" and form.is_valid():
        urls = form.cleaned_data["urls"]
        start = time.monotonic()
        with page_fetcher(total_timeout=PAGE_SECONDS) as fetcher:
            for n, url in enumerate(urls):
                if n and time.monotonic() - start > CHECK_SECONDS - PAGE_SECONDS:
                    queued = urls[n:]
                    break
                results.extend(check_urls([url], via=Via.SUBMITTED, fetcher=fetcher))
        for url in queued:
            check_page.enqueue(url, Via.SUBMITTED)
    recent = PickupCheck.objects.filter(via=Via.SUBMITTED).select_related(
        "pickup__story", "pickup__site"
    )[:20]
    return render(
        request,
        "dashboard/check.html",
        {"form": form, "results": results, "queued": queued, "recent": recent, "section": "check"},
    )


@staff_member_required
def explain_url(request: HttpRequest) -> HttpResponseBase:
    """Why was a copy (not) found? In plain words, then what each step of the scan did:
    for a recorded copy (``?copy=ID``) from the text it showed when last read, or for any
    page (and a recorded copy, on request) fetched now through the safe fetcher."""
    from ..pickups.explain import explain_live, explain_recorded, find_story

    pickup = None
    if (request.GET.get("copy") or "").isdigit():
        pickup = (
            Pickup.objects.select_related("story", "site")
            .filter(pk=int(request.GET["copy"]))
            .first()
        )
    params = request.GET.copy()
    if pickup is not None:
        params.setdefault("url", pickup.url)
        params.setdefault("story", pickup.story.headline)
    form = ExplainForm(params if "url" in params else None)
    report: dict[str, Any] | None = None
    problem = ""
    live = request.GET.get("live") == "1" or pickup is None
    if pickup is not None and not live:
        report = explain_recorded(pickup)
        if report is None:
            problem = ("The text of this copy was not kept when it was read, so it can only "
                       "be explained from the page as it is now.")  # fmt: skip
    elif form.is_bound and form.is_valid():
        story, not_found = find_story(form.cleaned_data["story"])
        if not_found:
            form.add_error("story", not_found)
        else:
            report, problem = explain_live(form.cleaned_data["url"], story, PAGE_SECONDS)
            problem = f"Could not read the page: {problem}." if problem else ""
    explained = explanation(pickup, Terms.current()) if pickup is not None and not live else None
    return render(
        request,
        "dashboard/explain.html",
        {"form": form, "report": report, "problem": problem, "pickup": pickup, "live": live,
         "explained": explained, "section": "check"},
    )  # fmt: skip


@staff_member_required
def notice(request: HttpRequest, pk: int) -> HttpResponseBase:
    partner = get_object_or_404(Partner, pk=pk)
    terms = Terms.current()
    failing = list(
        Pickup.objects.filter(partner=partner)
        .shown_to_partners()  # (a notice goes to the partner: nothing of an embargoed story)
        .filter(Q(compliant=False) | ~Q(problems=[]))
        .select_related("story")
        .prefetch_related("story__bylines__reporter")
        .order_by("-last_checked")[:100]
    )
    subject, body, listed = draft(partner, failing, terms)
    if not listed:  # every copy carries what the terms require: there is nothing to send
        context = {"partner": partner, "form": None, "listed": 0, "section": "partners"}
        return render(request, "dashboard/notice.html", context)
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            send(partner, form.cleaned_data["to"], form.cleaned_data["subject"],
                 form.cleaned_data["body"], [p.pk for p in failing], request.user)  # fmt: skip
            messages.success(request, f"Notice to {partner.name} queued for sending.")
            return redirect("dashboard:partner", pk=partner.pk)
    else:
        form = NoticeForm(initial={"to": partner.contact_email, "subject": subject, "body": body})
    return render(
        request,
        "dashboard/notice.html",
        {"partner": partner, "form": form, "listed": listed, "section": "partners"},
    )


# --- reports -----------------------------------------------------------------------


def _month(value: str | None) -> date:
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@staff_member_required
def report(request: HttpRequest) -> HttpResponseBase:
    """A month's reach and compliance, to hand to a funder (prints cleanly to PDF)."""
    first = _month(request.GET.get("month"))
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    r = queries.Range(first, nxt - timedelta(days=1))
    everyone = queries.partner_ranking(r)
    figures = queries.overview(r, everyone)
    return render(
        request,
        "dashboard/report.html",
        {
            "range": r,
            "month": first,
            "figures": figures,
            "chart": chart(figures.series),
            "top": queries.top_stories(r, limit=25),
            "ranked": everyone[:25],
            "sites": _with_sites(list(queries.unauthorised_sites(r)[:25])),
            "to_correct": _to_correct(r),
            "section": "report",
        },
    )


def _to_correct(r: queries.Range) -> list[tuple[Partner, Any]]:
    """Each partner's time to correct for the changes made in the range."""
    timing = by_partner(Partner.objects.values_list("pk", flat=True), r.since, r.until)
    partners = Partner.objects.in_bulk(list(timing))
    return sorted(((partners[pk], f) for pk, f in timing.items()), key=lambda x: x[0].name)


@staff_member_required
def story_report(request: HttpRequest, slug: str) -> HttpResponseBase:
    story = get_object_or_404(Story, slug=slug)
    copies = Pickup.objects.filter(story=story).select_related("site", "partner")
    figures = copies.aggregate(
        copies=Count("id"),
        sites=Count("site", distinct=True),
        compliant=Count("id", filter=Q(kind="pickup", compliant=True)),
        pickups=Count("id", filter=Q(kind="pickup")),
        unauthorised=Count("id", filter=queries.UNAUTHORISED),
    )
    first = copies.order_by("first_seen").values_list("first_seen", flat=True).first()
    r = queries.Range(
        (first.date() if first else story.shown_time().date()),
        max(timezone.localdate(), first.date() if first else timezone.localdate()),
    )
    series = queries.daily_series(queries.per_day(copies.order_by()), r)
    return render(
        request,
        "dashboard/story_report.html",
        {
            "story": story,
            "figures": figures,
            "beacon_pages": story.beacon_hits.count(),
            "chart": chart(series),
            "copies": copies.order_by("-first_seen")[:500],
            "section": "report",
        },
    )
