from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import (
    ApiKey,
    BeaconHit,
    ComplianceNotice,
    CorrectionNotice,
    Delivery,
    PushLog,
    Sending,
    WithdrawalNotice,
    WordPressPost,
    WordPressSite,
)
from .notices import send_compliance_notice, send_notice


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["name", "partner", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["partner", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "partner__name"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued from the partner's page, where the secret is shown once

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            key.revoke()
        self.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)


def _retry(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any], send: Any) -> None:
    """Queue the notices that were not sent for another try now."""
    n = 0
    for notice in queryset.exclude(status=Sending.Status.SENT):
        notice.status = Sending.Status.PENDING
        notice.save(update_fields=["status"])
        send.enqueue(notice.pk)
        n += 1
    model_admin.message_user(
        request, f"Queued {n} notice(s); `newswire worker` sends them.", messages.SUCCESS
    )


@admin.register(CorrectionNotice)
class CorrectionNoticeAdmin(admin.ModelAdmin[CorrectionNotice]):
    list_display = [
        "version",
        "partner",
        "channel",
        "status",
        "attempts",
        "sent_at",
        "next_try_at",
        "last_error",
    ]
    list_filter = ["status", "channel", "partner"]
    readonly_fields = [f.name for f in CorrectionNotice._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[CorrectionNotice]) -> None:
        _retry(self, request, queryset, send_notice)


@admin.register(ComplianceNotice)
class ComplianceNoticeAdmin(admin.ModelAdmin[ComplianceNotice]):
    """Editors' notices about a partner's copies (drafted and sent from the dashboard)."""

    list_display = ["subject", "partner", "to", "status", "attempts", "created_at", "sent_at", "by"]
    list_filter = ["status", "partner"]
    readonly_fields = [f.name for f in ComplianceNotice._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[ComplianceNotice]) -> None:
        _retry(self, request, queryset, send_compliance_notice)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["story", "partner", "channel", "first_at"]
    list_filter = ["channel", "partner"]
    search_fields = ["story__headline", "partner__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded when a partner fetches a story


@admin.register(BeaconHit)
class BeaconHitAdmin(admin.ModelAdmin[BeaconHit]):
    list_display = ["story", "page_url", "day", "hits", "last_at"]
    search_fields = ["page_url", "story__headline"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded by the beacon


class WordPressSiteForm(forms.ModelForm[WordPressSite]):
    """Connect (or reconnect) a partner's WordPress: the site is asked at once who the user
    is, and the application password is kept only if it works, only encrypted."""

    password = forms.CharField(
        label="Application password", required=False, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Never shown again. Leave empty to keep the one stored; a new one is "
        "checked with the site before it is kept.",
    )  # fmt: skip
    desks_text = forms.CharField(label="Only these desks", required=False,
                                 help_text="Comma-separated (empty: every desk).")  # fmt: skip

    class Meta:
        model = WordPressSite
        fields = ["partner", "url", "user", "arrive_as", "withdraw_as"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["desks_text"].initial = ", ".join(self.instance.desks or [])

    def clean(self) -> dict[str, Any]:
        from .wordpress import WordPressError, check_connection

        data = super().clean() or {}
        password = data.get("password") or ""
        if not password and not self.instance.pk:
            self.add_error("password", "The application password is needed to connect.")
            return data
        probe = WordPressSite(url=data.get("url") or "", user=data.get("user") or "")
        if self.instance.pk and not password and (
            probe.url.rstrip("/") != self.instance.url.rstrip("/")
            or probe.user != self.instance.user
        ):
            # the stored password was given for the old address and user: it is never sent
            # to another one (a typo, or a site that is not the partner's)
            self.add_error("password", "The address or user changed: type the application "
                           "password again to connect it (the stored one is sent only to "
                           "the address it was given for).")  # fmt: skip
            return data
        if self.instance.pk and not password:
            probe.password_token = self.instance.password_token
        try:
            check_connection(probe, password or None)
        except Exception as exc:  # WordPressError, or a stored password this key cannot read
            if not isinstance(exc, WordPressError) and type(exc).__name__ != "SecretLost":
                raise
            raise forms.ValidationError(f"Not connected: {exc}.") from None
        self.instance.seo_meta = probe.seo_meta  # what the site's REST API takes
        return data

    def save(self, commit: bool = True) -> WordPressSite:
        site = super().save(commit=False)
        site.desks = [d.strip() for d in self.cleaned_data["desks_text"].split(",") if d.strip()]
        if self.cleaned_data.get("password"):
            site.set_password(self.cleaned_data["password"])
        site.checked_at = timezone.now()
        if commit:
            site.save()
        return site


@admin.register(WordPressSite)
class WordPressSiteAdmin(admin.ModelAdmin[WordPressSite]):
    """Partners' WordPress sites, connected by the partner (its page), an editor (here) or
    `newswire partners connect-wordpress`. The password is never shown, here or anywhere."""

    form = WordPressSiteForm
    list_display = ["partner", "url", "user", "arrive_as", "withdraw_as", "checked_at"]
    fields = ["partner", "url", "user", "password", "arrive_as", "desks_text", "withdraw_as",
              "connected_at", "checked_at", "seo", "last_error"]  # fmt: skip
    readonly_fields = ["connected_at", "checked_at", "seo", "last_error"]

    @admin.display(description="Canonical link or noindex")
    def seo(self, obj: WordPressSite) -> str:
        from ..wire.models import Terms

        if obj.pk is None:
            return "asked of the site when it is connected"
        return obj.seo_words(Terms.current().canonical) or "the terms ask for neither"

    def save_model(self, request: HttpRequest, obj: WordPressSite, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        detail = f"{obj.url} as {obj.user}, by {request.user} in the admin"
        PushLog.objects.create(partner=obj.partner, action="connect", detail=detail)


@admin.register(WordPressPost)
class WordPressPostAdmin(admin.ModelAdmin[WordPressPost]):
    list_display = ["story", "partner", "state", "version", "post_id", "updated_at"]
    list_filter = ["state", "partner"]
    readonly_fields = ["partner", "story", "post_id", "link", "version", "state", "attempts",
                       "next_try_at", "last_error", "updated_at"]  # fmt: skip
    actions = ["push_now", "push_anyway"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Push again now")
    def push_now(self, request: HttpRequest, queryset: QuerySet[WordPressPost]) -> None:
        from .wordpress import push_to_wordpress

        for post in queryset:
            push_to_wordpress.enqueue(post.partner_id, post.story_id)
        self.message_user(request, f"{queryset.count()} queued.")

    @admin.action(description="Push anyway (over the partner's own edit)")
    def push_anyway(self, request: HttpRequest, queryset: QuerySet[WordPressPost]) -> None:
        from .wordpress import push_to_wordpress

        for post in queryset:
            push_to_wordpress.enqueue(post.partner_id, post.story_id, True)
        self.message_user(request, f"{queryset.count()} queued, over the partners' edits.")


@admin.register(PushLog)
class PushLogAdmin(admin.ModelAdmin[PushLog]):
    list_display = ["at", "partner", "action", "ok", "story", "detail"]
    list_filter = ["ok", "action", "partner"]
    readonly_fields = ["at", "partner", "story", "action", "ok", "detail"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WithdrawalNotice)
class WithdrawalNoticeAdmin(admin.ModelAdmin[WithdrawalNotice]):
    list_display = ["story", "partner", "channel", "status", "created_at", "sent_at"]
    list_filter = ["status", "channel"]
    readonly_fields = ["story", "partner", "channel", "status", "attempts", "last_error",
                       "created_at", "sent_at", "next_try_at", "delivery_id"]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
