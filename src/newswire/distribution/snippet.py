"""The "Republish this story" snippet: the partner copy plus a 1x1 beacon."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from ..wire.models import Story, Terms
from ..wire.partner_copy import partner_html


def beacon_url(story: Story) -> str:
    return settings.SITE_URL + reverse("distribution:beacon", args=[story.pk])


def beacon_img(story: Story) -> str:
    return str(
        format_html(
            '<img src="{}" width="1" height="1" alt="" style="border:0;width:1px;height:1px" '
            'referrerpolicy="no-referrer-when-downgrade">',
            beacon_url(story),
        )
    )


def snippet_html(story: Story, terms: Terms | None = None, *, as_post: bool = False,
                 featured: Any = None) -> str:  # fmt: skip
    """What a partner pastes: headline, body, allowed media, attribution, beacon
    (``as_post``, ``featured``: for a post whose title and featured image show the headline
    and that photo, see ``partner_html``)."""
    html = partner_html(story, terms, extra=beacon_img(story), as_post=as_post,
                        featured=featured)  # fmt: skip
    return html.strip() + "\n"
