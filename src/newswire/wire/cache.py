"""What the public surfaces keep between requests, and how it is kept true.

Two kinds of entry, both in Django's ``default`` cache:

- **Keyed by what they show** (never stale): a rendered story page under the story's
  stamp (:func:`stamp`: its id, version and last change, and the terms' last
  change). Anything a page shows that lives in another table (bylines, reporters,
  media, licences) touches its story's ``updated_at`` when it changes (the signals
  below), so a new stamp, a new entry.
- **Short-lived** (at most ``NEWSWIRE_CACHE_SECONDS`` old, and dropped at once by the
  process that saves a change): the terms, and the feeds' fingerprint. The
  fingerprint also expires at the next embargo's release time, so a story released
  by the clock appears on time.

With the default per-process cache, another web worker may serve such a value
until it expires (2 s by default); with ``CACHE_URL`` (Redis) every worker sees
the change at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import Byline, Licence, Media, Reporter, Story, StoryVersion, Terms

T = TypeVar("T")
TERMS_KEY = "newswire:terms"
FINGERPRINT_KEY = "newswire:feed-fingerprint"


def short_lived(key: str, make: Callable[[], T], *, seconds: float | None = None) -> T:
    """``make()``, kept under ``key`` for ``NEWSWIRE_CACHE_SECONDS`` (or ``seconds``)."""
    ttl = settings.NEWSWIRE_CACHE_SECONDS if seconds is None else seconds
    if ttl <= 0:
        return make()
    value: T | None = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, ttl)
    return value


def current_terms() -> Terms:
    return short_lived(TERMS_KEY, Terms.current)


def stamp(story: Story, terms: Terms) -> str:
    """What a rendering of ``story`` depends on; a new stamp whenever any of it changes."""
    changed = story.updated_at.timestamp() if story.updated_at else 0
    terms_changed = terms.updated_at.timestamp() if terms.updated_at else 0
    return f"{story.pk}.{story.version}.{changed}.{terms_changed}"


def rendered(key: str, make: Callable[[], T]) -> T:
    """``make()``, kept under a key that names everything it depends on (never stale)."""
    value: T | None = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, 24 * 3600)
    return value


def forget(*args: Any, **kwargs: Any) -> None:
    cache.delete_many([TERMS_KEY, FINGERPRINT_KEY])


def _touch(story_ids: Any) -> None:
    Story.objects.filter(pk__in=story_ids).update(updated_at=timezone.now())


def _story_part_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Byline | Media):
        _touch([instance.story_id])
    elif isinstance(instance, Reporter):
        _touch(Byline.objects.filter(reporter=instance).values("story_id"))
    elif isinstance(instance, Licence):
        _touch(Media.objects.filter(licence=instance).values("story_id"))
    forget()


def connect() -> None:
    for model in (Story, StoryVersion, Terms):
        post_save.connect(forget, sender=model, dispatch_uid=f"cache-{model.__name__}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"cache-del-{model.__name__}")
    for part in (Byline, Media, Reporter, Licence):
        post_save.connect(_story_part_changed, sender=part, dispatch_uid=f"touch-{part.__name__}")
        post_delete.connect(
            _story_part_changed, sender=part, dispatch_uid=f"touch-del-{part.__name__}"
        )
