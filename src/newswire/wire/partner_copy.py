"""A story as a partner receives it: its text, only the media the wire may pass on,
and the attribution block the terms require (logo, byline with affiliation, link back).

The admin's preview, and later the feeds, the API and the republish snippet,
all render it from here so that every copy carries the same credit.
"""

from __future__ import annotations

from typing import Any

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


def partner_html(story: Story, terms: Terms | None = None, *, extra: str = "",
                 as_post: bool = False, featured: Media | None = None) -> str:  # fmt: skip
    """The whole partner copy as an HTML fragment; ``extra`` is appended (e.g. a beacon).
    ``as_post``: the text of a post in the partner's CMS, which shows the headline as the
    post's title and ``featured`` as its featured image: neither again in the text."""
    terms = terms or Terms.current()
    media = [m for m in shareable_media(story, terms) if featured is None or m.pk != featured.pk]
    return render_to_string(
        "wire/_partner_copy.html",
        {
            "story": story,
            "terms": terms,
            "credit": byline_credit(story, terms),
            "headline": not as_post,
            "media": media,
            "body": partner_body(story.body, story, terms),
            "attribution": attribution_html(story, terms),
            "extra": extra,
        },
    )


_IMAGE_TAGS = ("<img", "<picture", "<amp-img", "<svg", "<object", "<embed", "<input")


def partner_body(body: str, story: Story, terms: Terms) -> str:
    """The story's text as a partner receives it: every image in it that a partner may not
    be given left out, wherever it stands, by the rule the checks use on copies
    (``docs/checks.md``): one of the story's restricted photos (by URL or file name, through
    an image CDN's URL too), or an image whose credit shown with it (its figure's caption,
    alt or title, or the short line right before or after it) names a source the terms
    restrict. The image goes with its ``<figure>`` (caption and credit) or ``<picture>``.
    Every surface that gives text to partners calls this: the snippet, the feeds, the
    API, the push into their WordPress and the correction notices."""
    if not any(t in body.lower() for t in _IMAGE_TAGS):
        return body  # (most stories: no image in the text)
    from selectolax.lexbor import LexborHTMLParser

    from ..engine.check import credit_lines, file_stem, image_urls, normalize_url
    from ..engine.extract import extract

    document = f"<!doctype html><html><body>{body}</body></html>"
    ex = extract(LexborHTMLParser(document))
    held = [m.absolute_src() for m in story.media.all() if m.restricted(terms)]
    urls = {normalize_url(u) for u in held}
    stems = {file_stem(u) for u in held} - {""}
    left_out: list[str] = []
    credits: list[str] = []
    for n, image in enumerate(ex.images):
        named = any(normalize_url(u) in urls or file_stem(u) in stems for u in image_urls(image))
        lines = [ex.blocks[at].text for at in credit_lines(ex, n)]
        said = [line for line in lines if terms.restricts(line)]
        if named or terms.restricts(f"{image.caption} {image.alt} {image.title}") or said:
            left_out.append(image.src)
            credits += said
    if not left_out:
        return body
    tree = LexborHTMLParser(document)
    gone: dict[int, Any] = {}
    for node in tree.css("img, amp-img, source, object, embed, input, image"):
        attrs = node.attributes
        shown = {attrs.get(k) or "" for k in ("src", "data-src", "data", "href", "xlink:href")}
        shown |= {u.split()[0] for u in (attrs.get("srcset") or "").split(",") if u.strip()}
        if not shown & set(left_out):
            continue
        whole = node
        parent = node.parent
        while parent is not None and parent.tag not in ("body", "html"):
            if parent.tag in ("figure", "picture", "svg"):
                whole = parent
            parent = parent.parent
        gone[whole.mem_id] = whole
    for line in credits:  # the credit line of a photo left out goes with it
        for node in tree.css("p, div, span, small, em, cite, i, b, strong, figcaption"):
            if " ".join(node.text().split()) == line and node.css_first("img") is None:
                gone[node.mem_id] = node
                break
    for node in _outermost(gone):  # each taken off once, never inside one taken off before
        node.decompose()
    return (tree.body.inner_html or "") if tree.body is not None else ""


def _outermost(nodes: dict[int, Any]) -> list[Any]:
    """The nodes that are not inside another of them (a node taken off takes its own)."""
    out = []
    for node in nodes.values():
        parent = node.parent
        while parent is not None and parent.mem_id not in nodes:
            parent = parent.parent
        if parent is None:
            out.append(node)
    return out
