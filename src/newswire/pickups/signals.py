"""What pickups does when others act (the events and signals it hears are listed in
newswire/events.py): a page handed on by discovery (the beacon, a feed's article, a post
made on a partner's WordPress) or a re-check due is queued for a check; copies follow
their partner's status; discovery is told which pages were checked lately."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from ..events import page_to_check, pages_checked_since, partner_told
from ..partners.models import Partner, PartnerDomain
from ..wire.models import Story, StoryVersion
from .models import Pickup, PickupCheck, Site, Via
from .record import change_hands, follow_status
from .tasks import check_page


@receiver(page_to_check, dispatch_uid="queue-page-to-check")
def _page_to_check(sender: Any, url: str, via: str, watched: int = 0, run_after: Any = None,
                   **kwargs: Any) -> None:  # fmt: skip
    # a check asked for by the checks' own modules (a feed's article, a sooner re-check),
    # queued once the asker's transaction commits
    queue = check_page.using(run_after=run_after) if run_after is not None else check_page
    transaction.on_commit(partial(queue.enqueue, url, via, watched))


def _recheck_copies_of(story_id: int) -> None:
    urls = list(Pickup.objects.filter(story_id=story_id).values_list("url", flat=True))
    for url in urls:
        transaction.on_commit(partial(check_page.enqueue, url, Via.RECHECK))


@receiver(post_save, sender=StoryVersion, dispatch_uid="recheck-corrected-story")
def _story_corrected(sender: Any, instance: StoryVersion, created: bool, **kwargs: Any) -> None:
    # every copy is checked against the new version, now and (until it carries it) sooner
    # than the usual re-checks; its time to correct is watched
    if created and instance.number > 1:
        from .watch import watch

        watch(instance.story_id, "correction", instance.created_at, instance.number)
        _recheck_copies_of(instance.story_id)


@receiver(post_save, sender=Story, dispatch_uid="recheck-withdrawn-story")
def _story_saved(sender: Any, instance: Story, created: bool, **kwargs: Any) -> None:
    # a withdrawn story's copies are checked: one still online says so in its history
    if getattr(instance, "just_withdrawn", False):
        from .watch import watch

        watch(instance.pk, "withdrawal", instance.withdrawn_at or timezone.now())
        _recheck_copies_of(instance.pk)


@receiver(partner_told, dispatch_uid="watch-partner-told")
def _partner_told(sender: Any, partner_id: int, story_id: int, kind: str, at: Any,
                  **kwargs: Any) -> None:  # fmt: skip
    from .watch import told

    told(partner_id, story_id, kind, at)


@receiver(post_save, sender=PartnerDomain, dispatch_uid="sites-of-partner-domain")
def _domain_added(sender: Any, instance: PartnerDomain, **kwargs: Any) -> None:
    # copies already found on this host (or a sub-domain) are the partner's from now on
    from django.db.models import Q

    sites = Site.objects.filter(
        Q(host=instance.domain) | Q(host__endswith=f".{instance.domain}"), partner__isnull=True
    )
    ids = list(sites.values_list("pk", flat=True))
    Site.objects.filter(pk__in=ids).update(partner=instance.partner)
    change_hands(Pickup.objects.filter(site_id__in=ids), instance.partner)


@receiver(post_save, sender=Partner, dispatch_uid="copies-follow-partner-status")
def _partner_saved(sender: Any, instance: Partner, **kwargs: Any) -> None:
    # suspended: its copies are unauthorised from now on; reinstated: authorised again
    follow_status(instance)


@receiver(pre_delete, sender=Partner, dispatch_uid="copies-of-deleted-partner")
def _partner_deleted(sender: Any, instance: Partner, **kwargs: Any) -> None:
    change_hands(Pickup.objects.filter(partner=instance), None)


@receiver(pages_checked_since, dispatch_uid="pages-checked-since")
def _pages_checked_since(sender: Any, urls: list[str], since: Any, **kwargs: Any) -> set[str]:
    # a feed's articles checked lately are not handed on again (discovery.feeds)
    return set(PickupCheck.objects.filter(url__in=urls, at__gte=since)
               .values_list("url", flat=True))  # fmt: skip
