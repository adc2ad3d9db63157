"""Stage 2 — extract: from a parsed page to its blocks, images, links and what it says of
itself (:class:`~.types.Extracted`), for the pages the index says may hold a story.

The stage's parts, each in a module of its own and run in this order by the pipeline:
:mod:`.decoding` (bytes to text and tree), :mod:`.sifting` (the text between the tags,
without a parse), :mod:`.reader` (what a reader sees), :mod:`.images` (every form of image),
:mod:`.walks` (the walk, compiled and in Python) and :mod:`.dates`. Here: :func:`extract`,
and how captions and bylines are told in the blocks it returns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from selectolax.lexbor import LexborHTMLParser

from .dates import FACTS, published_in
from .reader import reader_view
from .types import Block, Extracted, Image
from .walks import WALK, _walk, _walk_compiled

_CAPTION_HINTS = ("caption", "credit")
#: class/id words that mark an author box or byline (the checks use them too)
BYLINE_HINT = re.compile(r"author|byline|credit|writer")
#: what follows a name in a credit line: "… is a reporter for …"
CREDIT_VERB = r"(?:is|was|are|writes|reports|covers)\b.{0,80}\b(?:for|with|at|of)\b"
# "By NAME" (and its translations), or a credit line opening with two to four
# capitalised words (one pattern: one match per block)
_BYLINE_LINE = re.compile(
    r"(?i:by|words by|written by|reporting by|von|par|por|door|di)\s+\w"
    r"|[A-ZÀ-ÖØ-Þ][\w.'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w.'’-]*){1,3},?\s+" + CREDIT_VERB
)


def _caption_from_next_block(images: list[Image], blocks: list[Block]) -> None:
    """Give an image outside a <figure> the caption or credit block that follows it
    in the same container ("wp-caption-text", "credit")."""
    for i, image in enumerate(images):
        if image.caption or image.position >= len(blocks):
            continue
        block = blocks[image.position]
        if block.path[: len(image.path)] != image.path or len(block.text) > 400:
            continue
        if block.tag == "figcaption" or any(h in block.hint for h in _CAPTION_HINTS):
            images[i] = replace(image, caption=block.text)


def _reads_as_byline(block: Block) -> bool:
    """Whether a block reads as a byline or a credit line, whoever it names."""
    text = block.text
    if len(text) > 200 or block.tag in ("h1", "h2", "title"):
        return False
    if _BYLINE_LINE.match(text):
        return True
    return bool(block.hint) and len(text) <= 120 and BYLINE_HINT.search(block.hint) is not None


def extract(
    tree: LexborHTMLParser, styles: Sequence[str] = (), *, styles_taken: bool = False
) -> Extracted:
    """Walk the parsed page once and return its blocks, images and links in reading order,
    as a reader sees them (:func:`reader_view` changes ``tree`` first, with the page's
    linked ``styles`` where the caller fetched them; ``styles_taken``: ``styles`` ends with
    the page's own ``<style>`` blocks, taken out of ``tree`` when it was parsed)."""
    reader_view(tree, styles, styles_taken=styles_taken)
    root = tree.body or tree.root
    if root is None:
        return Extracted("", (), (), ())
    blocks, images, links = _walk(root) if WALK is None else _walk_compiled(root, WALK)
    _caption_from_next_block(images, blocks)
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node is not None else ""
    facts = tree.css(FACTS)  # the canonical link, the robots meta and the dates: one walk
    canonical = ""
    for link in facts:
        if link.tag != "link" or "rel" not in link.attributes:
            continue
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            canonical = (link.attributes.get("href") or "").strip()
            break
    robots = ", ".join(
        (m.attributes.get("content") or "").strip()
        for m in facts
        if m.tag == "meta"
        and (m.attributes.get("name") or "").strip().lower() in ("robots", "googlebot")
    )
    bylines = tuple(b.index for b in blocks if _reads_as_byline(b))
    return Extracted(title, tuple(blocks), tuple(images), tuple(links), canonical, bylines,
                     robots, *published_in(facts))  # fmt: skip
