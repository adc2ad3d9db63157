from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ..events import stories_created, story_page_parts
from ..wire.models import Story, StoryVersion
from .models import ApiKey
from .notices import notices_for, release_held, withdrawal_notices_for
from .wordpress import queue_pushes

# What distribution does when the wire changes (the events and signals it hears are listed
# in newswire/events.py).


@receiver(post_save, sender=StoryVersion, dispatch_uid="correction-notices")
def _correction_made(sender: Any, instance: StoryVersion, created: bool, **kwargs: Any) -> None:
    if created and instance.number > 1:
        notices_for(instance)
        queue_pushes(instance.story)  # the partners' posts carry the correction


@receiver(post_save, sender=Story, dispatch_uid="release-held-notices")
def _story_saved(sender: Any, instance: Story, created: bool, **kwargs: Any) -> None:
    # an embargo lifted early ("Publish now") or a story published again: its held notices go
    if not created and instance.is_public():
        release_held(instance.pk)
    fields = kwargs.get("update_fields")
    withdrawn = getattr(instance, "just_withdrawn", False)
    if withdrawn or (
        instance.is_public() and (fields is None or {"status", "release_at"} & set(fields))
    ):
        queue_pushes(instance)  # released: pushed; withdrawn: taken down
    if withdrawn:
        withdrawal_notices_for(instance)


@receiver(stories_created, dispatch_uid="push-imported-stories")
def _stories_imported(sender: Any, stories: list[Story], **kwargs: Any) -> None:
    # stored in bulk by an import (no post_save each): the released ones are pushed
    for story in stories:
        if story.is_public():
            queue_pushes(story)


@receiver(story_page_parts, dispatch_uid="republish-section")
def _republish_section(sender: Any, story: Story, **kwargs: Any) -> SafeString:
    # the story's public page offers it to partners: the snippet, with the credit the terms
    # require (rendered by the template engine: its output is escaped where it must be)
    return mark_safe(render_to_string("distribution/_republish_section.html", {"story": story}))


@receiver(post_save, sender=ApiKey, dispatch_uid="forget-api-key")
def _key_saved(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    cache.delete(f"newswire:apikey:{instance.prefix}")

