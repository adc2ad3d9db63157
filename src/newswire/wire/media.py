"""Uploaded files (``/media/…``), served only when what they belong to may be seen.

A photo belongs to a story: it is served when the story is public (the embargo
rule), and to signed-in staff for previews. The wire's uploaded logo is always
public. Anything else under ``MEDIA_ROOT`` is not served at all.

No uploaded file runs in the site's origin: every response carries a sandboxing
Content-Security-Policy and ``nosniff``, and anything but a raster image (an SVG
can hold ``<script>``) is sent as a download. An ``<img>`` still shows an SVG,
where its scripts do not run.
"""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.static import serve

from .models import Media, Story, Terms

INLINE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif")


def media(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    if not _may_see(request, path):
        raise Http404("No such file")
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    ctype = response.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype not in INLINE_TYPES:
        response["Content-Disposition"] = "attachment"
    return response


def _may_see(request: HttpRequest, path: str) -> bool:
    terms = Terms.objects.filter(pk=1).only("logo").first()
    if terms is not None and terms.logo and terms.logo.name == path:
        return True
    photo = Media.objects.filter(file=path).select_related("story").first()
    if photo is None:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_active and user.is_staff:
        return True  # editors preview embargoed stories in the admin
    return Story.objects.public().filter(pk=photo.story_id).exists()
