"""Vetting in the admin: the application queue with its checklist, decisions, partners, keys."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.db.models import Case, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html

from ..distribution.models import ApiKey, ComplianceNotice
from .emails import send_approval, send_rejection
from .models import Application, Decision, Partner, PartnerDomain


def _ask_reason(
    modeladmin: Any,
    request: HttpRequest,
    queryset: QuerySet[Any],
    action: str,
    title: str,
    required: bool,
) -> HttpResponse | None:
    """Show an intermediate page asking for a reason; return None once it has been given."""
    reason = request.POST.get("reason", "").strip()
    if "apply" in request.POST and (reason or not required):
        return None
    return TemplateResponse(
        request,
        "admin/partners/reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "action": action,
            "required": required,
            "missing": "apply" in request.POST and required and not reason,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


class DecisionInline(admin.TabularInline[Decision, Any]):
    model = Decision
    fk_name = "application"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("action", "reason", "by", "at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = [
        "outlet", "site_link", "country", "monthly_readers", "submitted_at",
        "site_checked", "audience_checked", "contact_verified", "status",
    ]  # fmt: skip
    list_filter = ["status", "site_checked", "audience_checked", "contact_verified", "country"]
    search_fields = ["outlet", "website", "contact_email", "contact_name"]
    # the queue: pending first, oldest first
    ordering = [
        Case(When(status=Application.Status.PENDING, then=Value(0)), default=Value(1)).asc(),  # type: ignore[list-item]  # expressions are valid admin ordering
        "submitted_at",
    ]
    readonly_fields = [
        "outlet", "website", "country", "monthly_readers", "audience_evidence", "contact_name",
        "contact_email", "agreed_to_terms", "submitted_at", "submitted_from", "email_verified_at",
        "status", "partner",
    ]  # fmt: skip
    fieldsets = [
        ("Application", {"fields": list(readonly_fields)}),
        (
            "Checklist",
            {"fields": ["site_checked", "audience_checked", "contact_verified", "notes"]},
        ),
    ]
    inlines = [DecisionInline]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications come from the public form

    @admin.display(description="website")
    def site_link(self, obj: Application) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.website, obj.website
        )

    @admin.action(
        description="Approve (makes a partner, e-mails the contact)", permissions=["change"]
    )
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        user_model = get_user_model()
        for app in queryset:
            if app.status == Application.Status.APPROVED:
                continue
            missing = app.checklist_missing()
            if missing:
                self.message_user(
                    request,
                    f"{app.outlet}: not approved, the checklist lacks: {', '.join(missing)}.",
                    messages.ERROR,
                )
                continue
            partner = app.approve(by=request.user)
            user, created = user_model.objects.get_or_create(
                username=app.contact_email.lower(),
                defaults={"email": app.contact_email, "first_name": app.contact_name[:150]},
            )
            if created:
                user.set_unusable_password()  # they choose one from the approval e-mail's link
                user.save()
            partner.members.add(user)
            send_approval(app, user)
            self.message_user(
                request,
                f"{app.outlet} approved; {app.contact_email} was e-mailed.",
                messages.SUCCESS,
            )

    @admin.action(description="Reject (asks for a reason)", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Application]) -> HttpResponse | None:
        page = _ask_reason(self, request, queryset, "reject", "Reject applications", required=True)
        if page is not None:
            return page
        reason = request.POST["reason"].strip()
        for app in queryset.exclude(status=Application.Status.APPROVED):
            app.reject(by=request.user, reason=reason)
            send_rejection(app, reason)
        self.message_user(
            request, "Rejected; the applicants were e-mailed the reason.", messages.SUCCESS
        )
        return None


class DomainInline(admin.TabularInline[PartnerDomain, Partner]):
    model = PartnerDomain
    extra = 1


class KeyInline(admin.TabularInline[ApiKey, Partner]):
    model = ApiKey
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "name",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartnerDecisionInline(DecisionInline):
    fk_name = "partner"


class ComplianceNoticeInline(admin.TabularInline[ComplianceNotice, Partner]):
    """The partner's history of notices about its copies (sent from the dashboard)."""

    model = ComplianceNotice
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "subject", "to", "status", "sent_at", "by")
    verbose_name_plural = "notices about its copies"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin[Partner]):
    list_display = ["name", "website", "status", "domain_list", "live_keys", "created_at"]
    list_filter = ["status", "country"]
    search_fields = ["name", "website", "domains__domain", "contact_email"]
    readonly_fields = ["status", "created_at"]
    filter_horizontal = ["members"]
    fields = [
        "name",
        "website",
        "country",
        "contact_email",
        "webhook_url",
        "members",
        "status",
        "created_at",
    ]
    inlines = [DomainInline, KeyInline, PartnerDecisionInline, ComplianceNoticeInline]
    actions = ["suspend", "reinstate", "issue_key"]

    @admin.display(description="domains")
    def domain_list(self, obj: Partner) -> str:
        return ", ".join(d.domain for d in obj.domains.all())

    @admin.display(description="live keys")
    def live_keys(self, obj: Partner) -> int:
        return obj.keys.filter(revoked_at__isnull=True).count()

    @admin.action(description="Suspend (stops all its keys at once)", permissions=["change"])
    def suspend(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse | None:
        page = _ask_reason(self, request, queryset, "suspend", "Suspend partners", required=True)
        if page is not None:
            return page
        for partner in queryset:
            partner.suspend(by=request.user, reason=request.POST["reason"].strip())
        self.message_user(request, f"Suspended {queryset.count()} partner(s).", messages.SUCCESS)
        return None

    @admin.action(description="Reinstate", permissions=["change"])
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Partner]) -> HttpResponse | None:
        page = _ask_reason(
            self, request, queryset, "reinstate", "Reinstate partners", required=False
        )
        if page is not None:
            return page
        for partner in queryset:
            partner.reinstate(by=request.user, reason=request.POST.get("reason", "").strip())
        self.message_user(request, f"Reinstated {queryset.count()} partner(s).", messages.SUCCESS)
        return None

    @admin.action(description="Create an API key for it (shown once)", permissions=["change"])
    def issue_key(self, request: HttpRequest, queryset: QuerySet[Partner]) -> None:
        for partner in queryset:
            _, raw = ApiKey.issue(partner, "issued by the wire", by=request.user)
            self.message_user(
                request,
                f"Key for {partner.name} (copy it now, it is not shown again): {raw}",
                messages.WARNING,
            )


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin[Decision]):
    list_display = ["at", "action", "application", "partner", "by", "reason"]
    list_filter = ["action"]
    readonly_fields = ["application", "partner", "action", "reason", "by", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
