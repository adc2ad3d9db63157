from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ..wire.models import StoryVersion
from .notices import notices_for


@receiver(post_save, sender=StoryVersion, dispatch_uid="correction-notices")
def _correction_made(sender: Any, instance: StoryVersion, created: bool, **kwargs: Any) -> None:
    if created and instance.number > 1:
        notices_for(instance)
