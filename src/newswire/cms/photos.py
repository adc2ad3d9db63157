"""A story's photos, copied from the newsroom's CMS into the wire's own media store.

A CMS may sit on a private network (``NEWSWIRE_PRIVATE_SOURCES``): pictures that stayed
there would reach no reader of the wire's page, of a partner's snippet or of a pushed
post. After a poll stores its stories, each photo not copied yet is fetched with the
source's own fetcher (its addresses, its time limits), at most
``NEWSWIRE_PHOTO_MAX_BYTES`` and only when the answer is an image, and kept as the
photo's file: the wire serves it from ``/media/`` (with the story's embargo), and
``Media.url`` keeps where it came from. A photo that cannot be copied stays where it is,
said once on the source's faults; the story is stored all the same.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.files.base import ContentFile

from ..fetch import FetchError, SafeClient
from ..wire.models import Media, Story
from .models import StorySource
from .store import fault

IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "image/avif")


def copy_photos(source: StorySource, story: Story, client: SafeClient) -> int:
    """Copy the story's photos that are not in the wire's store yet; return how many."""
    copied = 0
    limit = settings.NEWSWIRE_PHOTO_MAX_BYTES
    for m in Media.objects.filter(story=story, file="").exclude(url=""):
        where = f"photo of {story.headline[:80]!r}: {m.url[:200]}"
        try:
            got = client.get(m.url, headers={"Accept": ",".join(IMAGE_TYPES)})
        except FetchError as exc:
            fault(source, where, f"not copied to the wire ({exc.message}); it is shown from "
                                 "the CMS")  # fmt: skip
            continue
        kind = got.content_type.split(";")[0].strip().lower()
        if got.status != 200 or kind not in IMAGE_TYPES:
            fault(source, where, f"not copied to the wire: HTTP {got.status}, "
                                 f"{kind or 'no content type'}")  # fmt: skip
            continue
        if len(got.body) > limit:
            fault(source, where, f"not copied to the wire: over {limit} bytes")
            continue
        name = unquote(PurePosixPath(urlsplit(m.url).path).name) or "photo"
        m.file.save(name[:100], ContentFile(got.body), save=True)
        copied += 1
    return copied
