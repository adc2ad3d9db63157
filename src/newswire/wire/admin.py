"""The editors' admin: stories (bylines, media, versions), reporters, licences, terms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from ..engine.types import CHECK_NAMES
from ..events import answers, story_reach
from .models import EDIT_CHOICES, Byline, Licence, Media, Reporter, Story, StoryVersion, Terms
from .partner_copy import partner_html


class BylineInline(admin.TabularInline[Byline, Story]):
    model = Byline
    extra = 1
    autocomplete_fields = ["reporter"]
    fields = ["reporter", "title", "position"]
    verbose_name = "reporter"
    verbose_name_plural = "byline"


class MediaInline(admin.StackedInline[Media, Story]):
    model = Media
    extra = 0
    fields = [("url", "file"), "caption", ("credit", "copyright_holder"), ("licence", "position")]


class VersionInline(admin.TabularInline[StoryVersion, Story]):
    model = StoryVersion
    extra = 0
    can_delete = False
    fields = ["number", "created_at", "note", "headline"]
    # the note stays editable: a correction made by a CMS poll says "Updated in the CMS",
    # which an editor rewrites into what changed
    readonly_fields = ("number", "created_at", "headline")
    verbose_name = "version"
    verbose_name_plural = "versions and corrections"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmbargoFilter(admin.SimpleListFilter):
    title = "embargo"
    parameter_name = "embargo"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("on", "Under embargo now"), ("public", "Public now")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Story]) -> QuerySet[Story]:
        if self.value() == "on":
            return queryset.filter(release_at__gt=timezone.now())
        if self.value() == "public":
            return queryset.filter(pk__in=Story.objects.public().values("pk"))
        return queryset


class StoryForm(forms.ModelForm[Story]):
    correction_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you change the text of a published story: "
        "it is shown with the story and sent to partners.",
    )

    embargo_anyway = forms.BooleanField(
        required=False,
        label="Embargo it anyway",
        help_text="Needed to put a story that is already public back under embargo.",
    )

    class Meta:
        model = Story
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        story = self.instance
        self._ask_before_embargoing_again(data)
        if story.pk and story.versions.exists():
            changed = {"body", "headline"} & set(self.changed_data)
            if changed and not (data.get("correction_note") or "").strip():
                self.add_error(
                    "correction_note",
                    "This story has been published: say what you corrected "
                    f"({' and '.join(sorted(changed))} changed).",
                )
        return data

    def _ask_before_embargoing_again(self, data: dict[str, Any]) -> None:
        """An embargo set on a story partners already have hides it from the site, the
        feeds and the API, but takes back no copy: say so, and go on only when asked to."""
        story = self.instance
        release_at = data.get("release_at")
        if not story.pk or not release_at or release_at <= timezone.now():
            return
        if data.get("status") not in (Story.Status.PUBLISHED, Story.Status.SCHEDULED):
            return
        before = Story.objects.filter(pk=story.pk).first()
        if before is None or not before.is_public() or data.get("embargo_anyway"):
            return
        # the copies found (the dashboard answers: newswire/events.py)
        copies = sum(reach.copies for reach in answers(story_reach, Story, story=story))
        since = timezone.localtime(before.shown_time()).strftime("%Y-%m-%d %H:%M")
        self.add_error(
            "release_at",
            f"This story has been public since {since}, so partners may have it already"
            + (f" ({copies} cop{'y' if copies == 1 else 'ies'} found)" if copies else "")
            + ". An embargo now takes it off the site, the feeds and the API until "
            f"{timezone.localtime(release_at):%Y-%m-%d %H:%M}, but cannot take back a copy. "
            "Tick “Embargo it anyway” to go on.",
        )


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin[Story]):
    form = StoryForm
    list_display = [
        "headline",
        "status",
        "desk",
        "byline_list",
        "release_at",
        "updated_at",
        "version",
        "preview_link",
    ]
    list_filter = ["status", EmbargoFilter, "desk", ("reporters", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["headline", "summary", "body", "uri", "reporters__name"]
    date_hierarchy = "created_at"
    list_select_related = True
    readonly_fields = [
        "uri",
        "version",
        "published_at",
        "source",
        "created_at",
        "updated_at",
        "preview_link",
        "copies_link",
    ]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline, MediaInline, VersionInline]
    actions = ["publish_now", "withdraw"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "desk", "summary", "body", "correction_note"]}),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "release_at",
                    "embargo_anyway",
                    "canonical_url",
                    "language",
                    "preview_link",
                    "copies_link",
                ]
            },
        ),
        (
            "Record",
            {
                "classes": ["collapse"],
                "fields": [
                    "uri",
                    "version",
                    "published_at",
                    "source",
                    "created_at",
                    "updated_at",
                    "withdrawn_reason",
                ],
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return super().get_queryset(request).prefetch_related("bylines__reporter")

    @admin.display(description="byline")
    def byline_list(self, obj: Story) -> str:
        return ", ".join(b.reporter.name for b in obj.bylines.all()) or "— none —"

    @admin.display(description="partner copy")
    def preview_link(self, obj: Story) -> str:
        if not obj.pk:
            return "—"
        return format_html(
            '<a href="{}">Preview</a>', reverse("admin:wire_story_preview", args=[obj.pk])
        )

    @admin.display(description="copies found")
    def copies_link(self, obj: Story) -> str:
        """Where the story went: its copies, where they are read (the dashboard answers:
        newswire/events.py)."""
        if not obj.pk:
            return "—"
        reached = answers(story_reach, Story, story=obj)
        if not reached:
            return "—"
        return format_html_join(
            " · ", '<a href="{}">{} cop{} on {}</a>',
            ((r.url, r.copies, "y" if r.copies == 1 else "ies", r.where) for r in reached),
        )  # fmt: skip

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="wire_story_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The story as partners will receive it: attribution added, restricted media left out."""
        story = get_object_or_404(Story, pk=pk)
        if not self.has_view_permission(request, story):
            return HttpResponseRedirect(reverse("admin:index"))
        terms = Terms.current()
        held_back = [m for m in story.media.select_related("licence") if m.restricted(terms)]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Partner copy: {story.headline}",
            "story": story,
            "opts": self.model._meta,
            "copy": mark_safe(partner_html(story, terms)),
            "held_back": held_back,
            "public": story.is_public(),
        }
        return TemplateResponse(request, "admin/wire/story/preview.html", context)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        story: Story = form.instance
        note = (form.cleaned_data.get("correction_note") or "").strip()
        if story.status == Story.Status.PUBLISHED or (story.status == Story.Status.SCHEDULED):
            problems = story.publish_problems()
            if problems:
                story.status = Story.Status.DRAFT
                story.published_at = None
                story.save(update_fields=["status", "published_at", "updated_at"])
                self.message_user(
                    request,
                    f"Saved as a draft, not published: {'; '.join(problems)}.",
                    messages.WARNING,
                )
                return
        if story.versions.exists() and note:
            story.snapshot(note=note)
        elif story.status == Story.Status.PUBLISHED:
            story.snapshot()

    @admin.action(description="Publish now (lifts any embargo)", permissions=["change"])
    def publish_now(self, request: HttpRequest, queryset: QuerySet[Story]) -> None:
        done, refused = 0, []
        for story in queryset:
            try:
                story.publish_now()
                done += 1
            except ValidationError as exc:
                refused.append(" ".join(exc.messages))
        if done:
            self.message_user(
                request, f"Published {done} stor{'y' if done == 1 else 'ies'}.", messages.SUCCESS
            )
        for reason in refused:
            self.message_user(request, reason, messages.ERROR)

    @admin.action(description="Withdraw (hide everywhere, tell partners why)",
                  permissions=["change"])  # fmt: skip
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Story]) -> Any:
        """Asks for the reason first: it goes to every partner who has the story (the
        withdrawal notice, the API's ednote, the text left on a pushed post)."""
        reason = (request.POST.get("reason") or "").strip()
        if "apply" not in request.POST or not reason:
            return TemplateResponse(request, "admin/wire/story/withdraw.html", {
                **self.admin_site.each_context(request), "title": "Withdraw stories",
                "stories": queryset, "opts": self.model._meta, "reason": reason,
                "missing": "apply" in request.POST and not reason,
                "action_checkbox_name": ACTION_CHECKBOX_NAME})  # fmt: skip
        n = 0
        for story in queryset:
            story.withdraw(reason)
            n += 1
        self.message_user(
            request,
            f"Withdrew {n} stor{'y' if n == 1 else 'ies'}: partners who have "
            f"{'it' if n == 1 else 'them'} are told why.",
            messages.SUCCESS,
        )
        return None


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin[Reporter]):
    list_display = ["name", "title", "affiliation", "email"]
    search_fields = ["name", "title"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin[Licence]):
    list_display = ["name", "redistributable"]
    list_filter = ["redistributable"]
    search_fields = ["name"]


class LinesField(forms.Field):
    """A list of strings edited as one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class TermsForm(forms.ModelForm[Terms]):
    required = forms.MultipleChoiceField(
        choices=[(c, c) for c in CHECK_NAMES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The checks a republished copy must pass to count as compliant.",
    )
    allowed_edits = forms.MultipleChoiceField(
        choices=EDIT_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    restricted_credits = LinesField(required=False, help_text="One per line, e.g. Getty Images.")

    class Meta:
        model = Terms
        fields = "__all__"


@admin.register(Terms)
class TermsAdmin(admin.ModelAdmin[Terms]):
    form = TermsForm
    fieldsets = [
        (None, {"fields": ["wire", "affiliation", "site", "contact", "text"]}),
        ("Logo", {"fields": ["logo", "logo_url", "logo_alt"]}),
        ("Checks", {"fields": ["required", "allowed_edits", "restricted_credits", "canonical"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Terms.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        terms = Terms.objects.first()
        if terms is None:
            return HttpResponseRedirect(reverse("admin:wire_terms_add"))
        return HttpResponseRedirect(reverse("admin:wire_terms_change", args=[terms.pk]))
