"""Pickups in the admin: every copy with its verdict and evidence, filterable; sites."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from .models import Pickup, PickupCheck, Site


class UnauthorisedFilter(admin.SimpleListFilter):
    title = "authorised"
    parameter_name = "unauthorised"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Unauthorised (no active partner)"), ("no", "On a partner's site")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Pickup]) -> QuerySet[Pickup]:
        if self.value() == "yes":
            return queryset.unauthorised()  # type: ignore[attr-defined, no-any-return]
        if self.value() == "no":
            return queryset.authorised()  # type: ignore[attr-defined, no-any-return]
        return queryset


class CheckInline(admin.TabularInline[PickupCheck, Pickup]):
    model = PickupCheck
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "via", "status", "compliant", "coverage", "changes",
                                "reason")  # fmt: skip
    ordering = ["-at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Pickup)
class PickupAdmin(admin.ModelAdmin[Pickup]):
    list_display = ["url", "story", "site", "partner_or_unauthorised", "kind", "coverage",
                    "compliant", "problems", "status", "last_checked"]  # fmt: skip
    list_filter = [UnauthorisedFilter, "compliant", "status", "kind", "partner"]
    search_fields = ["url", "story__headline", "story__uri", "site__host"]
    list_select_related = ["story", "site", "partner"]
    date_hierarchy = "first_seen"
    inlines = [CheckInline]
    readonly_fields = (
        "story", "url", "normalized_url", "site", "partner", "version", "kind", "coverage",
        "compliant", "canonical", "status", "reason", "first_seen", "last_checked", "verdict",
    )  # fmt: skip
    exclude = ["checks", "evidence", "edits"]

    @admin.display(description="partner")
    def partner_or_unauthorised(self, obj: Pickup) -> str:
        return str(obj.partner) if not obj.unauthorised else "unauthorised"

    @admin.display(description="checks and evidence")
    def verdict(self, obj: Pickup) -> str:
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (name, {True: "passed", False: "FAILED", None: "not checked"}[passed],
                 obj.evidence.get(name) or "")
                for name, passed in obj.checks.items()
            ),
        )  # fmt: skip
        edits = ", ".join(f"{k}: {v}" for k, v in obj.edits.items())
        return format_html("<table>{}</table><p>Edits: {}</p>", rows, edits)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded by scans, checks and feed reads


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["host", "partner", "first_seen"]
    search_fields = ["host"]
    list_filter = ["partner"]
    readonly_fields = ["first_seen"]


