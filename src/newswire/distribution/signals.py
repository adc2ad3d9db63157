from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ..wire.models import Story, StoryVersion
from .notices import notices_for, release_held


@receiver(post_save, sender=StoryVersion, dispatch_uid="correction-notices")
def _correction_made(sender: Any, instance: StoryVersion, created: bool, **kwargs: Any) -> None:
    if created and instance.number > 1:
        notices_for(instance)


@receiver(post_save, sender=Story, dispatch_uid="release-held-notices")
def _story_saved(sender: Any, instance: Story, created: bool, **kwargs: Any) -> None:
    # an embargo lifted early ("Publish now") or a story published again: its held notices go
    if not created and instance.is_public():
        release_held(instance.pk)
