"""The public site: published stories, newest first, and a page per story."""

from __future__ import annotations

import difflib

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import format_html, format_html_join, strip_tags

from ..events import answers, story_page_parts, story_reach
from .cache import current_terms, rendered, stamp
from .models import Story, StoryVersion


def home(request: HttpRequest) -> HttpResponse:
    stories = Story.objects.public().prefetch_related("bylines__reporter")
    desk = request.GET.get("desk", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
    if desk:
        stories = stories.filter(desk=desk)
    page = Paginator(stories, 25).get_page(request.GET.get("page"))
    return render(request, "wire/home.html", {"page": page, "desk": desk})


def _public_story(slug: str) -> Story:
    return get_object_or_404(Story.objects.public(), slug=slug)


def story(request: HttpRequest, slug: str) -> HttpResponse:
    obj = _public_story(slug)
    terms = current_terms()

    def page() -> str:
        # one query per related table, however often the template asks
        story = Story.objects.prefetch_related(
            "bylines__reporter", "media__licence", "versions"
        ).get(pk=obj.pk)
        context = {
            "story": story,
            "media": sorted(story.media.all(), key=lambda m: (m.position, m.pk)),
            "corrections": story.corrections(),
            # what the partner program adds to the page ("Republish this story")
            "parts": answers(story_page_parts, Story, story=story),
        }
        return render_to_string("wire/story.html", context, request)

    # the same page for every reader until the story, its parts or the terms change
    html = rendered(f"newswire:page:story:{stamp(obj, terms)}", page)
    if not getattr(request.user, "is_staff", False):
        return HttpResponse(html.replace("<!--newswire:staff-->\n", "", 1))
    # an editor's page says where the story went (added to the readers' page, not cached)
    went = format_html_join(
        "", '<a href="{}">its copies on {}</a> · ',
        ((reach.url, reach.where) for reach in answers(story_reach, Story, story=obj)),
    )  # fmt: skip
    staff = format_html(
        '<p class="staff-bar">Editors: {}<a href="{}">edit in the admin</a></p>',
        went, reverse("admin:wire_story_change", args=[obj.pk]),
    )  # fmt: skip
    response = HttpResponse(html.replace("<!--newswire:staff-->", staff, 1))
    patch_cache_control(response, private=True, no_store=True)
    return response


def version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """An earlier (or the current) text of a story, compared with the one before it."""
    obj = _public_story(slug)
    versions = {v.number: v for v in obj.versions.all()}
    if not versions:  # released by the clock (scheduled), never corrected: the text is version 1
        versions[1] = StoryVersion(story=obj, number=1, headline=obj.headline, body=obj.body,
                                   created_at=obj.shown_time())  # fmt: skip
    this = versions.get(number)
    if this is None:
        raise Http404("No such version")
    before = versions.get(number - 1)
    diff = []
    if before is not None:
        old = _lines(before.headline, before.body)
        new = _lines(this.headline, this.body)
        for op in difflib.ndiff(old, new):
            if op.startswith(("+ ", "- ")):
                diff.append((op[0], op[2:]))
    return render(
        request,
        "wire/version.html",
        {
            "story": obj,
            "version": this,
            "before": before,
            "diff": diff,
            "versions": sorted(versions),
        },
    )


def _lines(headline: str, body: str) -> list[str]:
    text = body.replace("</p>", "\n").replace("<br>", "\n")
    return [headline] + [line.strip() for line in strip_tags(text).splitlines() if line.strip()]
