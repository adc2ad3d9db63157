"""A story as a partner receives it: its text, only the media the wire may pass on,
and the attribution block the terms require (logo, byline with affiliation, link back).

The admin's preview, and later the feeds, the API and the republish snippet,
all render it from here so that every copy carries the same credit.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from .models import Media, Story, Terms


def shareable_media(story: Story, terms: Terms) -> list[Media]:
    return [m for m in story.media.all() if not m.restricted(terms)]  # prefetched by feeds and API


def byline_credit(story: Story, terms: Terms) -> str:
    """ "NAME, TITLE, WIRE" for each reporter: the byline a partner prints."""
    parts = []
    for b in story.ordered_bylines():
        r = b.reporter
        parts.append(
            ", ".join(p for p in (r.name, b.shown_title, r.affiliation or terms.wire) if p)
        )
    return " and ".join(parts)


def attribution_html(story: Story, terms: Terms) -> str:
    return render_to_string(
        "wire/_attribution.html",
        {"story": story, "terms": terms, "credit": byline_credit(story, terms)},
    )


def partner_html(story: Story, terms: Terms | None = None, *, extra: str = "") -> str:
    """The whole partner copy as an HTML fragment; ``extra`` is appended (e.g. a beacon)."""
    terms = terms or Terms.current()
    return render_to_string(
        "wire/_partner_copy.html",
        {
            "story": story,
            "terms": terms,
            "credit": byline_credit(story, terms),
            "media": shareable_media(story, terms),
            "attribution": attribution_html(story, terms),
            "extra": extra,
        },
    )
