from __future__ import annotations

from typing import Any

from django import template

from ...wire.models import Story
from ..snippet import snippet_html

register = template.Library()


@register.inclusion_tag("distribution/_snippet_box.html")
def republish_box(story: Story) -> dict[str, Any]:
    """The snippet's text box (and copy button) for a story page."""
    return {"story": story, "snippet": snippet_html(story)}
