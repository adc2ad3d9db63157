"""Public distribution endpoints: the republish snippet and the beacon."""

from __future__ import annotations

import base64

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from ..wire.models import Story
from .access import client_ip
from .audience import not_a_view
from .beacon import client_key, hit
from .snippet import snippet_html

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def republish(request: HttpRequest, slug: str) -> HttpResponse:
    """The snippet on a page of its own (the story page opens it in a dialog)."""
    story = get_object_or_404(Story.objects.public(), slug=slug)
    return render(
        request, "distribution/republish.html", {"story": story, "snippet": snippet_html(story)}
    )


@never_cache
def beacon(request: HttpRequest, pk: int) -> HttpResponse:
    """Count one view of a republished copy: one UPDATE (or INSERT), nothing fetched."""
    # "this story is public", kept for NEWSWIRE_CACHE_SECONDS: a pixel is hot. Only a
    # yes is kept, so a story counts from the moment it is released.
    known = f"newswire:public-story:{pk}"
    if not cache.get(known):
        if not Story.objects.public().filter(pk=pk).exists():
            raise Http404("No such story")
        if settings.NEWSWIRE_CACHE_SECONDS > 0:
            cache.set(known, True, settings.NEWSWIRE_CACHE_SECONDS)
    page = request.headers.get("Referer", "").replace("\x00", "")[:2000]
    ip = client_ip(request)
    client = client_key(ip)
    # bots, link previews, prefetches and a reader's repeat views are answered, not counted
    if not not_a_view(request, pk, page, client):
        hit(
            pk,
            page_url=page,
            user_agent=request.headers.get("User-Agent", "").replace("\x00", "")[:500],
            ip=ip,
            client=client,
        )
    response = HttpResponse(GIF, content_type="image/gif")
    response["Access-Control-Allow-Origin"] = "*"
    return response
