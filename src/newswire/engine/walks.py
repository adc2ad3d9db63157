"""Stage 2e — the walk: blocks in reading order (with their enclosing elements), images and
links, in one pass over the tree; in C (``_walk.c``, bound to selectolax's lexbor and
checked on a probe page when loaded) with the Python walk as the reference and fallback.
"""

from __future__ import annotations

import importlib
import os
import re
from dataclasses import replace
from functools import cache, lru_cache
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .fingerprint import COMPILED
from .images import image_of
from .types import Block, Image, Link

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "head", "select"})
#: a <noscript> with at least this many words holds the page's text (a no-JavaScript
#: version of the article), not a tracking pixel or a "please enable JavaScript"
NOSCRIPT_WORDS = 40
_BLOCK = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "figcaption", "td", "th",
        "pre", "dd", "dt", "div", "section", "article", "header", "footer", "aside", "nav",
        "main", "ul", "ol", "table", "tr", "figure", "form", "br", "hr", "address", "caption",
        "details", "summary", "dl", "title", "body", "center",
    }
)  # fmt: skip
_CHROME_TAGS = frozenset({"nav", "aside", "form", "menu", "button"})
# A class or id token that names one of these marks page chrome. The list is
# short on purpose: article bodies carry classes such as "entry share" or
# "has-sidebar", and treating a body as chrome loses the whole copy.
_CHROME_WORDS = re.compile(
    r"(?:^|\s)(related|related-\S*|\S*-related|comments?|comment-\S*|sidebar|breadcrumbs?|"
    r"more-from\S*)(?:\s|$)"
)
_NEVER_CHROME = frozenset({"html", "body", "main", "article"})
#: a chrome word holds one of these (the expression's cheap first test, here and in C)
_CHROME_STEMS = ("relat", "comment", "sidebar", "breadcrumb", "more-from")


def _holds_text(node: Any) -> bool:
    """Whether a <noscript> holds the page's text (lexbor parses its content as markup)."""
    text = node.text(separator=" ")
    return len(text) >= NOSCRIPT_WORDS * 4 and len(text.split()) >= NOSCRIPT_WORDS


def _is_chrome(tag: str, words: str) -> bool:
    if tag in _CHROME_TAGS:
        return True
    return bool(words) and tag not in _NEVER_CHROME and _chrome_words(words)


@lru_cache(maxsize=1 << 16)
def _chrome_words(words: str) -> bool:
    """Whether class/id words name page chrome. A page has hundreds of class strings and a
    site repeats them on every page: the answers are kept (a pure function of the words),
    and a string without any chrome word's stem skips the expression."""
    if not any(stem in words for stem in _CHROME_STEMS):
        return False
    return _CHROME_WORDS.search(words) is not None


def _caption_figure(
    images: list[Image], blocks: list[Block], first_image: int, first_block: int
) -> None:
    """A <figure> closed: its images get the text of its <figcaption> blocks."""
    caption = " ".join(b.text for b in blocks[first_block:] if b.tag == "figcaption")
    for i in range(first_image, len(images)):
        images[i] = replace(images[i], caption=caption)


class _Anchor:
    """A link's element, found by its node id only when its HTML is asked for (a check
    quotes at most one link of a page: giving each of a page's hundreds of links its element
    object cost an eighth of the walk)."""

    __slots__ = ("mem_id", "root")

    def __init__(self, root: Any, mem_id: int) -> None:
        self.root, self.mem_id = root, mem_id

    def __eq__(self, other: object) -> bool:  # the same element (both walks make these)
        return isinstance(other, _Anchor) and other.mem_id == self.mem_id

    def __hash__(self) -> int:
        return hash(self.mem_id)

    @property
    def html(self) -> str | None:
        element = next((n for n in self.root.css("a") if n.mem_id == self.mem_id), None)
        return element.html if element is not None else None


def _walk(root: Any) -> tuple[list[Block], list[Image], list[Link]]:
    """The walk of :func:`extract` in Python: blocks, images and links in reading order
    (``_walk.c`` does the same, event for event, when it is built)."""
    blocks: list[Block] = []
    images: list[Image] = []
    links: list[Link] = []
    buf: list[str] = []
    # The walk is the engine's hottest Python loop on a page that may hold a story (1,600
    # nodes a page): the innermost open element's values are locals, and each open
    # element keeps on ``stack`` what its parent's were, to be restored when it closes.
    # ``path`` holds the open elements' ids (outermost first) and ``open_ids`` their lexbor
    # node ids (to find where each node belongs).
    path: list[int] = []
    open_ids: list[int] = []
    stack: list[tuple[bool, str, str, str]] = []  # (is a block, parent's block tag, hint, origin)
    block_tag = hint = origin = ""
    top = -1  # lexbor id of the innermost open element (-1: none)
    chrome: list[int] = []  # path depths of the open chrome elements
    skipped: set[int] = set()  # node ids of elements whose subtrees are not read
    # open <figure> elements: (depth in path, first image, first block inside it)
    figures: list[tuple[int, int, int]] = []
    next_id = 0
    new_block = Block  # local names: the loop runs 1,600 times a page
    block_names = _BLOCK
    skip_names = _SKIP

    def flush() -> None:
        text = " ".join("".join(buf).split())
        buf.clear()
        if text:
            depth = chrome[-1] if chrome else -1
            blocks.append(new_block(len(blocks), text, block_tag, tuple(path), depth, hint, origin))

    def close_to(parent_id: int) -> None:
        """Close the open elements until ``parent_id`` is the innermost (all, if none is)."""
        nonlocal block_tag, hint, origin, top
        while open_ids and top != parent_id:
            is_block, parent_block_tag, parent_hint, parent_origin = stack.pop()
            if buf and is_block:
                flush()
            depth = len(path) - 1
            if figures and figures[-1][0] == depth:
                _, first_image, first_block = figures.pop()
                _caption_figure(images, blocks, first_image, first_block)
            open_ids.pop()
            path.pop()
            if chrome and chrome[-1] == depth:
                chrome.pop()
            block_tag, hint, origin = parent_block_tag, parent_hint, parent_origin
            top = open_ids[-1] if open_ids else -1

    # lexbor's own pre-order traversal (iterative: pages nest deeper than Python
    # recursion allows); an element is left when a node arrives whose parent is
    # an element further out. Measured at about half the cost of a Python stack
    # of (node, entering) pairs built from .child/.next.
    for node in root.traverse(include_text=True):
        parent = node.parent
        parent_id = parent.mem_id if parent is not None else 0
        if parent_id != top:
            if parent_id in skipped:
                skipped.add(node.mem_id)
                continue
            close_to(parent_id)
        tag = node.tag or ""
        if tag == "-text":
            buf.append(node.text_content or "")
            continue
        node_origin = origin
        if tag in skip_names or tag.startswith(("-", "_")):
            if tag == "noscript" and _holds_text(node):
                node_origin = "noscript"  # read: the page's text for readers without JavaScript
            else:
                skipped.add(node.mem_id)
                continue
        is_block = tag in block_names
        if is_block and buf:
            flush()
        attrs = node.attributes
        if tag == "img":
            skipped.add(node.mem_id)
            image = image_of(node, len(blocks), tuple(path))
            if image is not None:
                images.append(image)
            continue
        if tag == "a":
            href = (attrs.get("href") or "").strip()
            if href:
                links.append(Link(href, len(blocks), _Anchor(root, node.mem_id)))
        cls, ident = attrs.get("class"), attrs.get("id")
        words = (f"{cls} {ident}" if cls and ident else cls or ident or "").lower()
        if _is_chrome(tag, words):
            chrome.append(len(path))
        if tag == "figure":
            figures.append((len(path), len(images), len(blocks)))
        next_id += 1
        path.append(next_id)
        top = node.mem_id
        open_ids.append(top)
        stack.append((is_block, block_tag, hint, origin))
        if is_block:
            block_tag = tag
        hint = words or hint
        origin = node_origin
    close_to(-2)  # no element has that id: close them all
    if buf:
        flush()
    return blocks, images, links


def _walk_compiled(root: Any, compiled: Any) -> tuple[list[Block], list[Image], list[Link]]:
    """:func:`_walk` in C (``_walk.c``), called back for what needs a node object: an
    image (its attributes and HTML), a figure's caption, whether a ``<noscript>`` holds
    the page's text, and the chrome words' expression. Links come back as (node id, href,
    position); each link's element is found only if its HTML is asked for (:class:`_Anchor`)."""
    blocks: list[Block] = []
    images: list[Image] = []
    found: list[tuple[int, str, int]] = []

    @cache
    def nodes(selector: str) -> dict[int, Any]:
        """The page's elements of one kind by node id (looked up once a page, if at all)."""
        return {n.mem_id: n for n in root.css(selector)}

    def on_image(mem_id: int, position: int, path: tuple[int, ...]) -> None:
        image = image_of(nodes("img")[mem_id], position, path)
        if image is not None:
            images.append(image)

    def on_figure(first_image: int, first_block: int) -> None:
        _caption_figure(images, blocks, first_image, first_block)

    def holds_text(mem_id: int) -> bool:
        return _holds_text(nodes("noscript")[mem_id])

    compiled.walk(root.mem_id, blocks, images, found, Block, on_image, on_figure, holds_text,
              _chrome_words)  # fmt: skip
    links = [Link(h, p, _Anchor(root, m)) for m, href, p in found if (h := href.strip())]
    return blocks, images, links


#: a page that holds every event of the walk, for the compiled walk's check on loading
_PROBE = (
    b"<html><head><title>A probe page</title></head><body class='Home'><nav>Menu <a href="
    b"' /x '>x</a></nav><div id='Main' class='story' data-n='caf\xc3\xa9 1'><h1>A \xc3\xa9t"
    b"\xc3\xa9</h1><p>One <b>two</b>\n"
    b"three\xc2\xa0four</p><figure><img src='/a.jpg' alt='A'><figcaption>Photo: X"
    b"</figcaption></figure><noscript><p>" + b"word " * 50 + b"</p></noscript><ul class="
    b"'related-links'><li>Related</li></ul><script>var x = '<p>no</p>';</script>Tail "
    b"\xff text<br>after<span class='By'>By Ann</span></div></body></html>"
)


def _tag_flags(walk: Any) -> dict[str, int]:
    """This module's tag rules as the compiled walk's table: {tag: its flags}. (``img``,
    ``a``, ``figure`` and ``noscript`` are the tags :func:`_walk` treats by name.)"""
    flags: dict[str, int] = {}
    rules = [(_SKIP, walk.SKIP), (_BLOCK, walk.BLOCK), (_CHROME_TAGS, walk.CHROME_TAG),
             (_NEVER_CHROME, walk.NEVER_CHROME), ({"img"}, walk.IMG), ({"a"}, walk.ANCHOR),
             ({"figure"}, walk.FIGURE), ({"noscript"}, walk.NOSCRIPT)]  # fmt: skip
    for tags, flag in rules:
        for tag in tags:
            flags[tag] = flags.get(tag, 0) | flag
    return flags


def _compiled_walk() -> tuple[Any, str]:
    """The compiled walk (``_walk``), bound to selectolax's lexbor, or ``None`` and why
    not: not built, ``NEWSWIRE_PURE_PYTHON`` set, a selectolax whose lexbor it cannot
    read (checked on the probe page's node layout, a text node and an element's
    attributes), or one where it walks the probe page otherwise than :func:`_walk` does."""
    if os.environ.get("NEWSWIRE_PURE_PYTHON"):
        return None, "NEWSWIRE_PURE_PYTHON is set"
    try:
        import selectolax.lexbor

        # the compiled module, a leaf that imports nothing back (``from . import _walk``
        # would read, to an import graph, as this module importing its own package)
        walk = importlib.import_module(f"{__package__}._walk")
    except ImportError as e:
        return None, f"not built ({e})"
    probe = LexborHTMLParser(_PROBE)
    title, element = probe.css_first("title"), probe.css_first("div#Main")
    text = title.child if title is not None else None
    if probe.root is None or probe.body is None or element is None or text is None:
        return None, "selectolax does not parse the probe page"
    attributes = [(k.encode(), (v or "").encode()) for k, v in element.attributes.items()]
    try:
        walk.bind(selectolax.lexbor.__file__, probe.root.mem_id, text.mem_id,
                  (text.text_content or "").encode(), element.mem_id, attributes,
                  _tag_flags(walk), _CHROME_STEMS)  # fmt: skip
    except (ImportError, OSError, AttributeError, ValueError) as e:
        return None, f"cannot bind to selectolax {_selectolax_version()}: {e}"
    if _walk_compiled(probe.body, walk) != _walk(probe.body):
        version = _selectolax_version()
        return None, f"walks the probe page otherwise than Python (selectolax {version})"
    return walk, ""


def _selectolax_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("selectolax")
    except PackageNotFoundError:
        return "(unknown version)"


#: the compiled walk (_walk.c) or None, and why it is None
WALK, WALK_MISSING = _compiled_walk()


def compiled_status() -> dict[str, str]:
    """Whether the engine runs its compiled parts, in words: ``walk`` and ``sift`` each
    "compiled", or "MISSING: why" (a scan is then about 3x slower: the pure-Python walk)."""

    wide = tuple(COMPILED.wide()) if COMPILED is not None else ()
    return {
        "walk": "compiled" if WALK is not None else f"MISSING: {WALK_MISSING}",
        "sift": (f"compiled ({', '.join(wide)})" if wide else "compiled")
        if COMPILED is not None
        else "MISSING: not built or NEWSWIRE_PURE_PYTHON set",
    }


def warn_if_slow(log: Any) -> bool:
    """Log once, as a warning, that the compiled walk is missing (a server or worker that
    runs 3x slower says so at start); returns whether it warned."""
    if WALK is not None:
        return False
    log.warning("the engine runs without its compiled walk (%s): pages are parsed about 3x "
                "slower; `newswire --version` says the same", WALK_MISSING)  # fmt: skip
    return True
