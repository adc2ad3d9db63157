"""Copies that arrive on their own: a page showing the beacon is queued for a check."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from ..distribution.models import BeaconHit
from .models import Via


@receiver(post_save, sender=BeaconHit, dispatch_uid="check-beacon-page")
def _beacon_page_seen(sender: Any, instance: BeaconHit, created: bool, **kwargs: Any) -> None:
    # A row is made the first time a page shows the beacon on a day: so each page is
    # checked at most once a day, by the worker, through the safe fetcher, never while
    # the pixel is being served (a stranger's Referer must not make us fetch on demand).
    if created and instance.page_url.lower().startswith(("http://", "https://")):
        from .tasks import check_page

        transaction.on_commit(partial(check_page.enqueue, instance.page_url, Via.BEACON))
