"""Discovery in the admin: partners' watched feeds and sitemaps (discovered, or entered by
an editor; errors shown) and when each partner domain was explored."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import DomainWatch, WatchedFeed


@admin.register(WatchedFeed)
class WatchedFeedAdmin(admin.ModelAdmin[WatchedFeed]):
    """Partners' feeds and sitemaps: discovered, or entered by an editor; errors shown."""

    list_display = ["url", "domain", "kind", "found_by", "last_read_at", "next_read_at",
                    "articles", "problem"]  # fmt: skip
    list_filter = ["kind", "found_by", "domain__partner"]
    search_fields = ["url", "domain__domain"]
    readonly_fields = ("found_by", "last_read_at", "etag", "last_modified", "articles",
                       "last_error", "last_error_at")  # fmt: skip

    @admin.display(description="last error")
    def problem(self, obj: WatchedFeed) -> str:
        if not obj.last_error:
            return ""
        return f"{obj.last_error_at:%Y-%m-%d %H:%M}: {obj.last_error[:120]}"


@admin.register(DomainWatch)
class DomainWatchAdmin(admin.ModelAdmin[DomainWatch]):
    list_display = ["domain", "discovered_at", "last_error"]
    readonly_fields = ("domain", "discovered_at", "last_error")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
