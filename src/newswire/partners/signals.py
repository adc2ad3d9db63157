"""The partner program's receivers."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models.signals import post_save
from django.dispatch import receiver

from ..distribution.models import ApiKey
from .models import Partner


@receiver(post_save, sender=Partner, dispatch_uid="forget-partner-keys")
def _partner_saved(sender: Any, instance: Partner, **kwargs: Any) -> None:
    # suspended or reinstated: every key of the partner is looked up afresh
    prefixes = ApiKey.objects.filter(partner=instance).values_list("prefix", flat=True)
    cache.delete_many([f"newswire:apikey:{p}" for p in prefixes])
