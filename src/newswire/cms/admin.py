"""Sources in the admin: what each one brought, when it last answered, and what went wrong;
items the CMS deleted or unpublished, for an editor to decide on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .models import Fault, Item, StorySource
from .store import NOTE


class FaultInline(admin.TabularInline[Fault, StorySource]):
    model = Fault
    extra = 0
    can_delete = False
    fields = ["at", "where", "reason"]
    readonly_fields = ["at", "where", "reason"]
    verbose_name_plural = "faults (newest first)"
    max_num = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Fault]:
        return super().get_queryset(request).order_by("-at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SourceForm(forms.ModelForm[StorySource]):
    """A source, with the WordPress application password written in and never shown."""

    password = forms.CharField(
        label="Application password", required=False, strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="WordPress: kept encrypted, never shown again. Leave empty to keep the one "
        "stored; clear the user to forget it.",
    )  # fmt: skip

    class Meta:
        model = StorySource
        fields = ["name", "url", "kind", "publish", "active", "every", "next_poll_at", "user"]

    def save(self, commit: bool = True) -> StorySource:
        source = super().save(commit=False)
        given = self.cleaned_data.get("password") or ""
        if not source.user:
            source.set_password("")
        elif given:
            source.set_password(given)
        if commit:
            source.save()
        return source


@admin.register(StorySource)
class SourceAdmin(admin.ModelAdmin[StorySource]):
    form = SourceForm
    list_display = ["__str__", "kind", "publish", "active", "last_polled_at", "health",
                    "stories", "flagged"]  # fmt: skip
    list_filter = ["kind", "active", "publish"]
    search_fields = ["name", "url"]
    fields = ["name", "url", "kind", "publish", "active", "every", "next_poll_at", "user",
              "password", "last_polled_at", "last_ok_at", "last_error", "last_error_at",
              "modified_after", "swept_at", "ping_address"]  # fmt: skip
    readonly_fields = ["last_polled_at", "last_ok_at", "last_error", "last_error_at",
                       "modified_after", "swept_at", "ping_address"]  # fmt: skip
    inlines = [FaultInline]
    actions = ["poll_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StorySource]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_items=Count("items"),
                n_flagged=Count("items", filter=Q(items__flag__in=["deleted", "unpublished"])),
            )
        )

    @admin.display(description="last poll")
    def health(self, obj: StorySource) -> str:
        if obj.last_error:
            return format_html('<span title="{}">failed {}</span>', obj.last_error,
                               timezone.localtime(obj.last_error_at).strftime("%d %b %H:%M")
                               if obj.last_error_at else "")  # fmt: skip
        return "ok" if obj.last_ok_at else "not yet"

    @admin.display(description="stories", ordering="n_items")
    def stories(self, obj: StorySource) -> int:
        return getattr(obj, "n_items", 0)

    @admin.display(description="flagged", ordering="n_flagged")
    def flagged(self, obj: StorySource) -> Any:
        n = getattr(obj, "n_flagged", 0)
        if not n:
            return 0
        url = (
            reverse("admin:cms_item_changelist")
            + f"?source__id__exact={obj.pk}&flag__in=deleted,unpublished"
        )
        return format_html('<a href="{}">{}</a>', url, n)

    @admin.display(description="Ping address")
    def ping_address(self, obj: StorySource) -> str:
        if obj.pk is None:
            return "given once the source is saved"
        return format_html(
            "<code>{}</code><br>The newsroom's CMS POSTs here when a post changes, and the "
            "source is polled at once (docs/sources.md gives a WordPress plugin that does "
            "it). Keep it private: who has it can ask for polls.", obj.ping_url())

    @admin.action(description="Poll now (queued for the worker)")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[StorySource]) -> None:
        from .tasks import poll_source

        n = 0
        for source in queryset:
            poll_source.enqueue(source.pk)
            n += 1
        self.message_user(request, f"Queued {n} poll(s).", messages.SUCCESS)


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = ["story_link", "source", "cms_id", "flag", "flagged_at", "metadata_change",
                    "changed_at"]  # fmt: skip
    list_filter = ["flag", "source", "waiting_for_author"]
    search_fields = ["cms_id", "story__headline"]
    list_select_related = ["story", "source"]
    readonly_fields = ["source", "cms_id", "story", "cms_modified", "first_seen", "changed_at",
                       "metadata_change", "waiting_for_author", "flagged_at"]  # fmt: skip
    fields = ["source", "cms_id", "story", "flag", "flagged_at", "metadata_change",
              "waiting_for_author", "cms_modified", "first_seen", "changed_at"]  # fmt: skip
    actions = ["mark_reviewed", "send_as_correction"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="story", ordering="story__headline")
    def story_link(self, obj: Item) -> str:
        url = reverse("admin:wire_story_change", args=[obj.story_id])
        return format_html('<a href="{}">{}</a>', url, obj.story.headline)

    @admin.action(description="Mark reviewed (the flag is cleared; the story is not changed)")
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        n = queryset.exclude(flag="").update(flag=Item.Flag.REVIEWED)
        self.message_user(request, f"Marked {n} item(s) reviewed.", messages.SUCCESS)

    @admin.action(description="Send the last CMS change to partners as a correction")
    def send_as_correction(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        n = 0
        for item in queryset.exclude(metadata_change="").select_related("story"):
            if not item.story.versions.exists():
                continue  # never published on the wire: no partner has it
            item.story.snapshot(note=f"{NOTE}: {item.metadata_change}", force=True)
            item.metadata_change = ""
            item.save(update_fields=["metadata_change"])
            n += 1
        self.message_user(
            request,
            f"Recorded {n} correction(s); partners who received the story are told. "
            "Rewrite the note on the story's page if it should say more.",
            messages.SUCCESS,
        )
