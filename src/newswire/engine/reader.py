"""Stage 2d — what a reader sees: :func:`reader_view` takes from a parsed page what its
styles and markup keep a reader from seeing, and rewrites every other way a page shows an
image as an image (docs/checks.md, "What a reader sees").
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .images import FORM_ATTR
from .styles import shown
from .walks import _holds_text

#: an image drawn 0 or 1 pixel wide or high by its attributes (a tracking pixel, or a
#: credit shrunk away; CSS sizes are read with the page's styles, :mod:`.styles`)
_TINY = frozenset({"0", "1", "0px", "1px"})
_IMAGE_TAGS = frozenset({"img", "amp-img", "amp-anim"})
#: the MIME types and file endings of an image an ``<object>`` or ``<embed>`` shows
_IMAGE_DATA = re.compile(r"^image/|\.(?:png|jpe?g|gif|webp|avif|svg|bmp)(?:[?#]|$)", re.I)
# The other forms a page shows an image in, turned into <img> elements for the walk: one
# query (a page has dozens of these, hundreds of elements; more precise selectors cost
# lexbor more than reading these)
_FORMS_SELECTOR = (
    "img[width], img[height], amp-img, amp-anim, noscript, svg title, svg[aria-label], "
    "svg image, object[data], embed[src], input[src]"
)


#: a hidden element with at least this many words holds an article a script reveals (a
#: paywall's ``display:none`` body, shown to subscribers; schema.org marks it with
#: ``isAccessibleForFree``): its text, and the credits in it, are the copy's. A credit,
#: logo or link hidden from readers is a few words.
HIDDEN_ARTICLE_WORDS = 60


def _holds_an_article(node: Any) -> bool:
    if node.tag == "-text":
        return False
    text = node.text(separator=" ")
    return len(text) >= HIDDEN_ARTICLE_WORDS * 4 and len(text.split()) >= HIDDEN_ARTICLE_WORDS


def _tiny(attrs: dict[str, str | None]) -> bool:
    return (attrs.get("width") or "").strip() in _TINY or (
        attrs.get("height") or ""
    ).strip() in _TINY


def _made_image(
    node: Any, tag: str, attrs: dict[str, str | None]
) -> tuple[bool, dict[str, str], str] | None:
    """The ``<img>`` a browser shows for an element of another form: (put before the
    element, the image's attributes, its form); None when it shows no image."""
    def text(name: str) -> str:
        return (attrs.get(name) or "").strip()

    if tag in ("amp-img", "amp-anim"):
        return True, {k: text(k) for k in ("src", "srcset", "alt", "width", "height")}, tag
    if tag == "svg":
        image = node.css_first("image")
        href = ""
        if image is not None:
            href = (image.attributes.get("href") or image.attributes.get("xlink:href") or "")
        title = node.css_first("title")
        label = (title.text() if title is not None else "") or text("aria-label")
        if not href.strip() and not label.strip():
            return None
        return True, {"src": href.strip(), "alt": " ".join(label.split())}, (
            "svg image" if href.strip() else "svg")
    if tag == "object":
        data = text("data")
        if data and (_IMAGE_DATA.search(text("type")) or _IMAGE_DATA.search(data)):
            return True, {"src": data, "alt": text("aria-label") or text("title")
                          or " ".join(node.text().split())[:200]}, "object"  # fmt: skip
        return None
    if tag == "embed":
        src = text("src")
        if src and (_IMAGE_DATA.search(text("type")) or _IMAGE_DATA.search(src)):
            return True, {"src": src, "alt": text("title") or text("aria-label")}, "embed"
        return None
    if tag == "input" and text("type").lower() == "image" and text("src"):
        return True, {"src": text("src"), "alt": text("alt") or text("value")}, "input image"
    return None


def reader_view(
    tree: LexborHTMLParser, styles: Sequence[str] = (), *, styles_taken: bool = False
) -> None:
    """Change a parsed page, in place, into what a reader sees, for the checks
    (``docs/checks.md``, "What a reader sees"):

    - an element the page's styles hide (:mod:`.styles`: its ``style`` attribute, its
      ``<style>`` blocks and ``styles``, the linked sheets of a page newswire fetched)
      goes, with all it holds, and so does an image 0 or 1 pixel wide or high: a credit,
      logo or link a reader cannot see does not count (a hidden element holding an
      article's worth of text stays: see ``HIDDEN_ARTICLE_WORDS``); an element whose
      text is moved or shrunk away loses its text and inline images;
    - images a browser shows in other forms become ``<img>`` elements the walk reads,
      marked with their form: AMP's ``<amp-img>``/``<amp-anim>``, an ``<img>`` inside
      ``<noscript>`` (the fallback of a lazy image), a background image (inline or from
      a rule), an ``<svg>`` drawing an ``<image>`` or titled (its title is its alt text),
      ``<object>``/``<embed>`` of an image type, ``<input type=image>``.

    Only pages that may hold a story get here (after the index), so the cost is paid
    on a few pages of a crawl.
    """
    root = tree.body or tree.root
    if root is None:
        return
    view = shown(tree, root, styles, styles_taken=styles_taken)
    hidden: set[int] = set()
    hidden_nodes: list[Any] = []
    shown_again: dict[int, list[Any]] = {}
    for gone, _how in view.gone:
        if gone.mem_id in hidden or _holds_an_article(gone):
            continue
        hidden.add(gone.mem_id)
        hidden_nodes.append(gone)
        if gone.mem_id in view.unhidden:
            shown_again[gone.mem_id] = view.unhidden[gone.mem_id]
    keep: list[tuple[Any, str, dict[str, str | None]]] = []
    seen: set[int] = set()
    for found in root.css(_FORMS_SELECTOR):  # classify first: nothing changes while it is read
        node: Any = found
        tag = node.tag or ""
        if tag in ("title", "image"):  # an <svg>'s title or image: the svg is looked at
            node = node.parent
            while node is not None and node.tag != "svg":
                node = node.parent
            if node is None:
                continue
            tag = "svg"
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)  # an <svg> with a title and a label comes twice
        attrs = node.attributes
        if tag in _IMAGE_TAGS and _tiny(attrs):
            hidden.add(node.mem_id)
            hidden_nodes.append(node)
        elif tag != "img":
            keep.append((node, tag, attrs))
    if not hidden and not keep and not view.textless and not view.backgrounds:
        return

    within: dict[int, bool] = {}  # element -> whether it or an element around it is hidden

    def inside_hidden(node: Any) -> bool:
        chain, up, verdict = [], node.parent, False
        while up is not None:
            mid = up.mem_id
            if mid in within:
                verdict = within[mid]
                break
            if mid in hidden and mid not in shown_again:
                verdict = True
                break
            chain.append(mid)
            up = up.parent
        for mid in chain:
            within[mid] = verdict
        return verdict

    # the hidden elements not inside another one: decomposed last, with all they hold
    outermost = [n for n in hidden_nodes if not inside_hidden(n)]
    # the <img> elements to add, made in one parse: (where, before it or inside, attributes,
    # form)
    made: list[tuple[Any, bool, dict[str, str], str]] = []
    for node, tag, attrs in keep:
        if inside_hidden(node) or node.mem_id in hidden:
            continue
        if tag == "noscript":
            imgs = node.css("img")
            if imgs and not _holds_text(node):
                for img in imgs:
                    img.attrs[FORM_ATTR] = "noscript fallback"
                node.unwrap()
            continue
        image = _made_image(node, tag, attrs)
        if image is not None:
            made.append((node, image[0], image[1], image[2]))
    for node, _how in view.textless:
        if inside_hidden(node) or node.mem_id in hidden:
            continue
        for inner in list(node.traverse(include_text=True)):
            if inner.tag in ("-text", "img", "svg", "picture", "amp-img", "object", "embed"):
                inner.decompose()
    textless = {t.mem_id for t, _ in view.textless}
    for node, url in view.backgrounds:
        if inside_hidden(node) or node.mem_id in hidden:
            continue
        attrs = node.attributes
        alt = attrs.get("aria-label") or attrs.get("title") or ""
        if not alt and node.mem_id not in textless:
            alt = " ".join(node.text().split())[:200] if len(node.text()) <= 200 else ""
        made.append((node, False, {"src": url, "alt": alt}, "background-image"))
    if made:
        markup = "".join(
            "<img"
            + "".join(f' {k}="{html.escape(v)}"' for k, v in a.items() if v)
            + f' {FORM_ATTR}="{form}">'
            for _, _, a, form in made
        )
        for (node, before, _, _), img in zip(made, LexborHTMLParser(markup).css("img"),
                                             strict=True):  # fmt: skip
            first = None if before else node.child
            if before:
                node.insert_before(img)
            elif first is not None:
                first.insert_before(img)
            else:
                node.insert_child(img)
    # whole elements first, then the ones that keep what shows again, deepest first (one
    # may hold another: a freed node is never touched)
    for node in outermost:
        if node.mem_id not in shown_again:
            node.decompose()
    partly = [n for n in outermost if n.mem_id in shown_again]
    for node in sorted(partly, key=_depth, reverse=True):
        _keep_only(node, shown_again[node.mem_id])


def _depth(node: Any) -> int:
    depth, up = 0, node.parent
    while up is not None:
        depth, up = depth + 1, up.parent
    return depth


def _keep_only(node: Any, shown: list[Any]) -> None:
    """Take from a ``visibility: hidden`` element all but the descendants that show again
    (``visibility: visible``) and the elements around them."""
    keep: set[int] = set()
    around: set[int] = set()
    for d in shown:
        keep.add(d.mem_id)
        up = d.parent
        while up is not None and up.mem_id != node.mem_id:
            around.add(up.mem_id)
            up = up.parent
    doomed = []
    for inner in node.traverse(include_text=True):
        mid, parent = inner.mem_id, inner.parent
        if mid == node.mem_id or mid in around or mid in keep or parent is None:
            continue
        if parent.mem_id == node.mem_id or parent.mem_id in around:
            doomed.append(inner)  # its own subtree goes with it
    for inner in doomed:
        inner.decompose()
