"""What discovery does when others act (the events are listed in newswire/events.py): a
page that showed the beacon, and a post newswire made on a partner's WordPress, are handed
on to be checked."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from ..distribution.models import WordPressPost
from ..events import page_showed_beacon, page_to_check, wordpress_post_made
from .models import Via


@receiver(page_showed_beacon, dispatch_uid="check-beacon-page")
def _beacon_page_seen(sender: Any, story_id: int, page_url: str, **kwargs: Any) -> None:
    # Sent the first time a page shows the beacon on a day: so each page is checked at
    # most once a day, by the worker, through the safe fetcher, never while the pixel is
    # being served (a stranger's Referer must not make us fetch on demand).
    if page_url.lower().startswith(("http://", "https://")):
        page_to_check.send(sender=page_showed_beacon, url=page_url, via=Via.BEACON)


@receiver(wordpress_post_made, dispatch_uid="check-pushed-post")
def _post_made(sender: Any, post: WordPressPost, **kwargs: Any) -> None:
    # a post newswire made is a copy from the moment it exists: a published one is checked
    # (and recorded) like any page; a draft is not on the web until the partner publishes it
    site = getattr(post.partner, "wordpress", None)
    if post.link and site is not None and site.arrive_as == "publish":
        page_to_check.send(sender=WordPressPost, url=post.link, via=Via.WORDPRESS)
