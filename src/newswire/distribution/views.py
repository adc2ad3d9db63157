"""Public distribution endpoints: the republish snippet and the beacon."""

from __future__ import annotations

import base64

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from ..wire.models import Story
from .access import client_ip
from .beacon import hit
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
    story = get_object_or_404(Story.objects.public().only("pk"), pk=pk)
    hit(
        story.pk,
        page_url=request.headers.get("Referer", "").replace("\x00", "")[:2000],
        user_agent=request.headers.get("User-Agent", "").replace("\x00", "")[:500],
        ip=client_ip(request),
    )
    response = HttpResponse(GIF, content_type="image/gif")
    response["Access-Control-Allow-Origin"] = "*"
    return response
