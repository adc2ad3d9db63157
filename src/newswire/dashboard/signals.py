"""What the dashboard answers when a lower app's page asks (newswire/events.py): where a
story went, and where a partner reads its copies."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.urls import reverse

from ..events import Link, Reach, partner_links, story_reach
from ..pickups.models import Pickup


@receiver(story_reach, dispatch_uid="dashboard-story-reach")
def _story_reach(sender: Any, story: Any, **kwargs: Any) -> Reach | None:
    if not story.pk or not story.slug:
        return None
    copies = Pickup.objects.filter(story_id=story.pk).count()
    return Reach(copies, reverse("dashboard:story", args=[story.slug]), "the dashboard")


@receiver(partner_links, dispatch_uid="dashboard-partner-copies")
def _partner_links(sender: Any, partner: Any, **kwargs: Any) -> Link:
    return Link("Your copies of our stories", reverse("dashboard:partner_pickups"),
                ": which need a fix, and why.")  # fmt: skip
