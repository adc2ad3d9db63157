"""Public partner-program pages (terms, application) and the partner's own pages (keys)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..distribution.access import client_ip
from ..distribution.models import ApiKey
from ..events import answers, partner_links
from ..wire.models import Story, Terms
from ..wire.partner_copy import byline_credit
from .emails import VERIFY_MAX_AGE, VERIFY_SALT, send_confirmation
from .forms import ApplicationForm, KeyForm, WebhookForm, WordPressForm
from .models import Application, Partner

APPLY_LOCK = 0x6E657773  # "news": the advisory lock that serialises application limits


def republish(request: HttpRequest) -> HttpResponse:
    """The terms in plain words, with a correct credit as an example."""
    terms = Terms.current()
    example = Story.objects.public().prefetch_related("bylines__reporter").first()
    return render(
        request,
        "partners/republish.html",
        {"example": example, "credit": byline_credit(example, terms) if example else ""},
    )


def too_many(ip: str | None, email: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    q = Q(contact_email__iexact=email) if email else Q(pk__in=[])
    if ip:
        q |= Q(submitted_from=ip)
    return (
        Application.objects.filter(q, submitted_at__gte=since).count()
        >= settings.NEWSWIRE_APPLICATIONS_PER_HOUR
    )


def submit_within_limit(application: Application) -> bool:
    """Save the application unless its address or e-mail is over the hourly limit.

    The count and the insert are one atomic step: concurrent submissions queue on a
    lock (PostgreSQL: a transaction-level advisory lock; SQLite: its write lock, taken
    at BEGIN IMMEDIATE), so twelve at once cannot all read "two so far".
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [APPLY_LOCK])
        if too_many(application.submitted_from, application.contact_email.strip()):
            return False
        application.save()
    return True


def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        if not form.is_valid():
            status = 400
        else:
            application = form.save(commit=False)
            application.submitted_from = ip
            if submit_within_limit(application):
                send_confirmation(application)
                return redirect("partners:applied")
            form.add_error(
                None,
                "Too many applications from this address in the last hour. Please try again later.",
            )
            status = 429
    return render(request, "partners/apply.html", {"form": form}, status=status)


def applied(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/applied.html")


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return render(request, "partners/verified.html", {"ok": False}, status=400)
    application = Application.objects.filter(pk=data.get("a"), contact_email=data.get("e")).first()
    if application is None:
        return render(request, "partners/verified.html", {"ok": False}, status=400)
    if not application.contact_verified:
        application.contact_verified = True
        application.email_verified_at = timezone.now()
        application.save(update_fields=["contact_verified", "email_verified_at"])
    return render(request, "partners/verified.html", {"ok": True, "application": application})


def _partner_for(request: HttpRequest, pk: int | None = None) -> Partner | None:
    partners = Partner.objects.filter(members__pk=request.user.pk or 0)
    if pk is not None:
        return partners.filter(pk=pk).first()
    return partners.first()


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    partner = _partner_for(request)
    new_key = None
    form = KeyForm()
    webhook_form = WebhookForm(instance=partner) if partner else None
    new_secret = None
    if partner and request.method == "POST" and partner.active:
        if "rotate_secret" in request.POST:
            partner.rotate_webhook_secret()
            new_secret = partner.webhook_secret
        elif "webhook_url" in request.POST:
            webhook_form = WebhookForm(request.POST, instance=partner)
            if webhook_form.is_valid():
                webhook_form.save()
                messages.success(request, "Webhook saved.")
                # the signing secret, shown in full this once, so the partner can verify
                new_secret = partner.webhook_secret if partner.webhook_url else None
        else:
            form = KeyForm(request.POST)
            if form.is_valid():
                _, new_key = ApiKey.issue(partner, form.cleaned_data["name"], by=request.user)
                form = KeyForm()
    return render(
        request,
        "partners/portal.html",
        {
            "partner": partner,
            "keys": partner.keys.all() if partner else [],
            "form": form,
            "webhook_form": webhook_form,
            "new_key": new_key,
            "new_secret": new_secret,
            "site_url": settings.SITE_URL,
            # what the apps above add (the dashboard: the partner's copies)
            "links": answers(partner_links, Partner, partner=partner),
        },
    )


@login_required
@require_POST
def revoke_key(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk, partner__members=request.user)
    key.revoke()
    messages.success(request, f"Key {key.name!r} ({key.prefix}…) revoked.")
    return redirect("partners:portal")


@login_required
def wordpress(request: HttpRequest) -> HttpResponse:
    """The partner's WordPress: connect it (checked at once), see every push, retry one."""
    from ..distribution.models import PushLog, WordPressPost, WordPressSite
    from ..distribution.wordpress import WordPressError, connect, disconnect, push_to_wordpress

    partner = _partner_for(request)
    if partner is None:
        return redirect("partners:portal")
    form = WordPressForm(request.POST if "connect" in request.POST else None)
    if request.method == "POST" and partner.active:
        if "disconnect" in request.POST:
            disconnect(partner)
            messages.success(request, "Disconnected: your application password is deleted.")
            return redirect("partners:wordpress")
        if "retry" in request.POST:
            asked = request.POST["retry"].strip()
            if not asked.isdigit() or len(asked) > 18:
                return HttpResponseBadRequest(
                    f"Retry: {asked[:40]!r} is not one of your posts' numbers.",
                    content_type="text/plain; charset=utf-8",
                )
            post = WordPressPost.objects.filter(partner=partner, pk=int(asked)).first()
            if post is not None and post.state in ("failed", "gave_up", "pending"):
                transaction.on_commit(partial(push_to_wordpress.enqueue, partner.pk, post.story_id))
                messages.success(request, f"“{post.story.headline}” will be pushed again now.")
            return redirect("partners:wordpress")
        if form.is_valid():
            try:
                given = form.cleaned_data
                site = connect(partner, given["url"], given["user"], given["password"],
                               arrive_as=given["arrive_as"], desks=form.desk_list(),
                               withdraw_as=given["withdraw_as"])  # fmt: skip
            except WordPressError as exc:
                form.add_error(None, f"Not connected: {exc}.")
            else:
                arrive = site.get_arrive_as_display()
                messages.success(request, f"Connected to {site.url}: stories we release from now "
                                          f"on arrive {arrive}.")  # fmt: skip
                return redirect("partners:wordpress")
    # the site as stored: a refused connection keeps nothing (and shows no "Connected")
    stored = WordPressSite.objects.filter(partner=partner).first()
    return render(request, "partners/wordpress.html", {
        "partner": partner, "form": form, "site": stored,
        "seo_words": stored.seo_words(Terms.current().canonical) if stored else "",
        "posts": WordPressPost.objects.filter(partner=partner).select_related("story")
        .order_by("-updated_at")[:50],
        "log": PushLog.objects.filter(partner=partner).select_related("story")[:50],
    })  # fmt: skip
