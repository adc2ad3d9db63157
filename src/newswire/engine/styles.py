"""What a page's styles show and hide: the part of a browser the reader view needs.

A check passes when a reader of the page sees the thing and fails when a reader can't
(``docs/checks.md``, "What a reader sees"). Whether an element is seen is decided by the
CSS the page carries: its ``style`` attributes, its ``<style>`` blocks and, for pages
newswire fetches itself, the same site's linked stylesheets (``Page.styles``). tinycss2
parses the CSS, cssselect2 gives each selector's specificity, and lexbor (selectolax)
matches the selectors against the parsed page; the cascade (``!important``, inline
styles, specificity, order) is applied to the properties below, and to nothing else.

The page is read as a desktop reader sees it: a window :data:`VIEWPORT` pixels wide and
high, no pointer over anything, nothing focused or clicked.

Honoured, and why each hides:

* ``display: none`` (and the ``hidden`` attribute, a closed ``<dialog>``, what a closed
  ``<details>`` holds beyond its ``<summary>``, ``<template>``): no box at all.
* ``visibility: hidden | collapse``: inherited; a descendant that says ``visible`` shows.
* ``opacity: 0``, ``transform: scale(0)`` (or any scale, or matrix, to nothing): drawn
  invisibly, with all the element holds.
* off screen: ``left``/``top`` at or beyond -:data:`OFFSCREEN_PX` px (``right``/``bottom``
  at or beyond +that) on a positioned element, a negative ``margin-left``/``margin-top``
  as large, or ``translate`` as far: nobody can scroll to the left of or above a page.
* ``clip: rect(…)`` a pixel or less across on an absolutely positioned element;
  ``clip-path: inset(…)`` of half or more from both sides, ``circle(0)``, ``ellipse(0 0)``.
* no size: ``width``/``height`` (or ``max-width``/``max-height``) of a pixel or less on an
  image, or on an element whose ``overflow`` is hidden or clipped.
* text moved or shrunk away: ``text-indent`` at or beyond -:data:`OFFSCREEN_PX` px (the
  "image replacement" trick) and ``font-size: 0`` hide an element's text and inline
  images, not its background image.

Not honoured, and why: states a reader must act to reach (``:hover``, ``:focus``,
``:target``, ``:active``, ``:visited``, ``:focus-within``, ``:focus-visible``), pseudo-
elements (``::before`` is not the element), scripts (no JavaScript runs), ``@import``
(one fetch leads to another without end), layout (an element covered by another, text
the colour of its background, a box pushed off screen by the boxes before it): each
needs a layout engine, which is a browser's, not a scan's. Percentages in offsets depend
on the size of a box and are not read. ``@media`` queries are answered for the viewport
below (width, height, orientation, ``screen``/``all``, a light scheme, a fine pointer that
can hover); ``@supports`` is taken as true; ``@layer`` order is not applied.
"""

from __future__ import annotations

import importlib
import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import cssselect2
import tinycss2
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

#: the window the page is read in: a desktop reader's (the browser tests use the same)
VIEWPORT = (1280, 800)
#: an offset this far (px) puts an element where no reader can scroll
OFFSCREEN_PX = 999
#: 1em (and 1rem) in px, as a browser's default style makes it
EM_PX = 16.0

#: the properties read; every other declaration is dropped when a sheet is read
HONOURED = frozenset(
    {
        "display", "visibility", "opacity", "transform", "position", "left", "top", "right",
        "bottom", "margin", "margin-left", "margin-top", "clip", "clip-path", "width",
        "height", "max-width", "max-height", "overflow", "overflow-x", "overflow-y",
        "text-indent", "font-size", "background", "background-image",
    }
)  # fmt: skip
#: the pseudo-classes of a state a reader must act to reach
_ACTED = re.compile(
    r":(?:hover|focus|focus-within|focus-visible|active|target|visited|target-within)\b", re.I
)
_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)", re.I)
_LENGTH = re.compile(r"^(-?(?:\d+\.?\d*|\.\d+))(px|em|rem|vw|vh|pt|%)?$")
_SCALE = re.compile(r"scale[xyz3d]*\(([^)]*)\)")
_TRANSLATE = re.compile(r"translate([xy]?)(?:3d)?\(([^)]*)\)")
_MATRIX = re.compile(r"matrix\(([^)]*)\)")
_CLIP_RECT = re.compile(r"rect\(([^)]*)\)")
_INSET = re.compile(r"inset\(([^)]*)\)")
_ROUND = re.compile(r"\s+round\b.*$")
#: elements a browser draws as inline by default (text-indent only applies to blocks)
_INLINE = frozenset(
    {"a", "span", "b", "i", "em", "strong", "small", "cite", "abbr", "code", "label",
     "img", "sub", "sup", "u", "s", "q", "time", "mark", "font", "bdi", "bdo"}
)  # fmt: skip
_IMAGES = frozenset({"img", "amp-img", "amp-anim", "svg", "object", "embed", "input", "picture"})


class Rule(NamedTuple):
    """One selector of a style rule and the text of its block (read when first needed).
    A named tuple, as :class:`.types.Block` is: a news site's sheets hold thousands of
    rules, and the compiled reading (``_sheets.c``) makes them as tuples, without a call
    to a constructor each."""

    selector: str
    body: str
    n: int  # orders the rules of its sheet: later wins between equals
    key: tuple[str, str, tuple[str, ...]]  # the rightmost compound's tag, id and classes
    hides: bool = False  # its block may hide an element, or draw an image, by itself
    needs: frozenset[str] = frozenset()  # the ids and classes a page must have for it to match
    shows: bool = False  # its block shows an element again (opacity above 0, no transform)

    @property
    def declarations(self) -> tuple[tuple[str, str, bool], ...]:
        return block_declarations(self.body)

    @property
    def specificity(self) -> tuple[int, int, int] | None:
        """None: a selector no reader's default view matches (see the module's notes)."""
        return selector_specificity(self.selector)


def length_px(value: str, axis: int = 0) -> float | None:
    """A CSS length in px (``axis`` 0: horizontal, for ``vw``; 1: vertical), None for a
    percentage, ``auto`` or anything not a plain length."""
    m = _LENGTH.match(value.strip().lower())
    if m is None:
        return None
    number, unit = float(m.group(1)), m.group(2) or "px"
    if unit == "%":
        return None
    if number and unit == "px" and not m.group(2):
        return None  # a bare number is not a length (0 is)
    factor = {"px": 1.0, "em": EM_PX, "rem": EM_PX, "pt": 4 / 3,
              "vw": VIEWPORT[0] / 100, "vh": VIEWPORT[1] / 100}[unit]  # fmt: skip
    return number * factor


# --- @media ------------------------------------------------------------------------------

_FEATURE = re.compile(r"\(\s*([a-z-]+)\s*(?::\s*([^)]+))?\)")


@lru_cache(maxsize=1024)
def media_matches(query: str) -> bool:
    """Whether a media query list holds for the reader of :data:`VIEWPORT` on a screen."""
    query = query.strip().lower()
    if not query:
        return True
    return any(_one_query(q) for q in query.split(","))


def _one_query(query: str) -> bool:
    words = query.strip()
    negate = words.startswith("not ")
    words = words.removeprefix("not ").removeprefix("only ").strip()
    kind = words.split("(", 1)[0].replace(" and", "").strip()
    result = kind in ("", "all", "screen")
    for name, value in _FEATURE.findall(words):
        result = result and _feature(name, value.strip())
    return result != negate


def _feature(name: str, value: str) -> bool:
    width, height = VIEWPORT
    if name.endswith(("width", "height")):
        size = width if name.endswith("width") else height
        px = length_px(value) if value else None
        if px is None:
            return bool(not value)
        if name.startswith("min-"):
            return size >= px
        if name.startswith("max-"):
            return size <= px
        return size == px
    answers = {
        "orientation": "landscape" if width >= height else "portrait",
        "prefers-color-scheme": "light", "prefers-reduced-motion": "no-preference",
        "hover": "hover", "any-hover": "hover", "pointer": "fine", "any-pointer": "fine",
        "color": "", "scripting": "none",
    }  # fmt: skip
    if name not in answers:
        return False  # a feature not answered here: the rules under it are not applied
    return not value or value == answers[name] or (name == "color" and value.isdigit())


# --- reading sheets ----------------------------------------------------------------------


def _selectors(prelude: list[Any]) -> list[list[Any]]:
    """A selector list's tokens split at its top-level commas."""
    parts: list[list[Any]] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [p for p in parts if p]


#: a CSS identifier (without escapes): a letter, underscore or non-ASCII character first,
#: after at most one hyphen, or two hyphens
_IDENT = r"(?:--|-?[^\W\d])[\w-]*"
_CLASS = re.compile(rf"\.({_IDENT})")
_ID = re.compile(rf"#({_IDENT})")
_TAG = re.compile(r"^([a-zA-Z][\w-]*)")
_NEEDED = re.compile(rf"[.#]{_IDENT}")


_INNERMOST = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=1 << 15)
def _key_and_needs(
    selector: str,
) -> tuple[tuple[str, str, tuple[str, ...]], frozenset[str]]:
    """The tag, id and classes that the selector's rightmost compound requires (what is
    inside ``:is()``/``:not()`` is not required: such a compound keys on what is outside),
    and every id and class (``#id``, ``.class``) the selector requires of some element of
    the page, in any compound (those inside parentheses are not required)."""
    if "(" in selector:
        # from the innermost parentheses out (":is(.a, :not(.b))" requires neither class),
        # each emptied to "()"; what an unbalanced one leaves stays
        while (emptied := _INNERMOST.sub("\x00", selector)) != selector:
            selector = emptied
        selector = selector.replace("\x00", "()")
    needs = (
        frozenset(_NEEDED.findall(selector))
        if ("." in selector or "#" in selector)
        else (frozenset())
    )
    text = selector.rstrip()
    # the rightmost compound: after the last combinator (str methods: a regular expression
    # anchored at the end backtracks from every position)
    cut = max(text.rfind(" "), text.rfind(">"), text.rfind("+"), text.rfind("~"),
              text.rfind("\t"), text.rfind("\n"))  # fmt: skip
    text = text[cut + 1 :]
    if not text:
        return ("", "", ()), needs
    tag = _TAG.match(text)
    ident = _ID.search(text)
    return ((tag.group(1).lower() if tag else ""), (ident.group(1) if ident else ""),
            tuple(_CLASS.findall(text))), needs  # fmt: skip


def _declarations(tokens: Iterable[Any] | str) -> tuple[tuple[str, str, bool], ...]:
    if isinstance(tokens, str) and tokens.count("(") > MAX_NESTING * 4:
        return ()  # hostile: tinycss2 recurses as deep as the parentheses
    try:
        return _read_declarations(tokens)
    except RecursionError:
        return ()


#: a block with none of these is split at its semicolons and colons as tinycss2 would
#: (parentheses are followed; ``url(`` is not: unquoted, its inside is one token), and its
#: values kept as written: text outside ASCII (str.strip() and tinycss2 differ on its
#: spaces), and tokens written without a space between them that tinycss2's serializer
#: parts with an empty comment (``1rem+1vw`` → ``1rem/**/+1vw``) or a unit it escapes
#: (``5e``), written out wider than they are (``h1-x`` is one token: it is left to tinycss2)
_NOT_PLAIN = re.compile(
    r"[^\x00-\x7f]|[\"'{}\\\[\]@$^|]|/\*|url\(|[\w%.)]\+|\d-|(?:[a-z_%).#]|--)[\w-]*\.\d"
    r"|[+.][+\-.]|-[+.]|\d\.\d*\.|[*~]=|\de(?![a-z\d])|![^;]*!|#(?![\w-])",
    re.I,
)
_IMPORTANT = re.compile(r"!\s*important\s*$", re.I)


def _read_declarations(tokens: Iterable[Any] | str) -> tuple[tuple[str, str, bool], ...]:
    if isinstance(tokens, str) and _NOT_PLAIN.search(tokens) is None:
        plain = _plain_declarations(tokens)
        if plain is not None:
            return plain
    found = []
    for d in tinycss2.parse_declaration_list(tokens, skip_whitespace=True, skip_comments=True):
        if d.type == "declaration" and d.lower_name in HONOURED:
            value = " ".join(tinycss2.serialize(d.value).split()).lower()
            if d.lower_name.startswith("background"):  # a URL keeps its case
                value = " ".join(tinycss2.serialize(d.value).split())
            found.append((d.lower_name, value, bool(d.important)))
    return tuple(found)


def _plain_declarations(text: str) -> tuple[tuple[str, str, bool], ...] | None:
    """:func:`_read_declarations` of a block without strings, URLs, brackets, escapes or
    comments, where a declaration is what lies between semicolons outside parentheses (a
    ``)`` with none open stands alone, as in tinycss2; None for a block that leaves one
    open, which tinycss2 closes). Written by hand: nine in ten of a
    news site's blocks are plain, and tinycss2 takes about 0.2 ms to tokenize each in
    Python, on the path of every page that may hold a story (the tests compare the two on
    every block of the dev corpus and on generated ones)."""
    parts = _top_level_split(text) if "(" in text else text.split(";")
    if parts is None:
        return None
    found = []
    for part in parts:
        name, colon, value = part.partition(":")
        name = name.strip().lower()
        if not colon or name not in HONOURED:
            continue
        important = _IMPORTANT.search(value)
        if important is not None:
            value = value[: important.start()]
        value = " ".join(value.split())
        if not name.startswith("background"):  # a URL keeps its case
            value = value.lower()
        found.append((name, value, important is not None))
    return tuple(found)


def _top_level_split(text: str) -> list[str] | None:
    """``text`` split at the semicolons outside parentheses; None if one is left open."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char == ";" and depth == 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    return parts if depth == 0 else None


@lru_cache(maxsize=4096)
def inline_style(text: str) -> tuple[tuple[str, str, bool], ...]:
    """The honoured declarations of a ``style`` attribute."""
    return _declarations(text) if text.strip() else ()


@lru_cache(maxsize=4096)
def block_declarations(body: str) -> tuple[tuple[str, str, bool], ...]:
    """The honoured declarations of one rule's block (tinycss2)."""
    return _declarations(body)


#: a selector with none of these (ASCII only) is read by :func:`_plain_specificity`
_NOT_PLAIN_SELECTOR = re.compile(r"[\"'()\\|]|[^\x00-\x7f]")
_ATTRIBUTE = re.compile(r"\[[^\]]*\]")
_PSEUDO_CLASS = re.compile(r":[a-zA-Z-]+")
_TYPE = re.compile(rf"(?:^|[\s>+~])({_IDENT})")


@lru_cache(maxsize=1 << 15)
def selector_specificity(selector: str) -> tuple[int, int, int] | None:
    """A selector's specificity (cssselect2), or None for one that is never applied here: a
    state a reader must act to reach, a pseudo-element, one no parser can read."""
    if _ACTED.search(selector) or "::" in selector or _legacy_pseudo(selector):
        return None
    if _NOT_PLAIN_SELECTOR.search(selector) is None and "," not in selector:
        return _plain_specificity(selector) if _lexbor_reads(selector) else None
    try:
        compiled = cssselect2.compile_selector_list(tinycss2.parse_component_value_list(selector))
    except (cssselect2.SelectorError, ValueError, KeyError, TypeError, IndexError):
        return None  # a selector the parser cannot read is one no browser applies either
    if len(compiled) != 1 or compiled[0].pseudo_element or not _lexbor_reads(selector):
        return None
    spec = compiled[0].specificity
    return (int(spec[0]), int(spec[1]), int(spec[2]))


def _plain_specificity(selector: str) -> tuple[int, int, int]:
    """:func:`selector_specificity` of a selector without functions, strings, escapes or
    namespaces (lexbor has said it reads it): ids; classes, attributes and pseudo-classes;
    types. Written by hand because cssselect2 compiles each selector into Python code
    (``eval``), about 0.3 ms a selector, and a news site's sheets hold thousands (the tests
    compare the two on every selector of the dev corpus)."""
    attributes = len(_ATTRIBUTE.findall(selector))
    rest = _ATTRIBUTE.sub(" [] ", selector) if attributes else selector
    ids = len(_ID.findall(rest))
    classes = len(_CLASS.findall(rest)) + attributes + len(_PSEUDO_CLASS.findall(rest))
    types = len(_TYPE.findall(rest.strip()))
    return (ids, classes, types)


_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_AT_BLOCK = re.compile(r"@([\w-]+)([^{};]*)\{")
_BRACE = re.compile(r"[{}]")
# Both expressions below are matched against text already folded to lower case: with
# re.I, Python's engine loses the first-character test that lets it skip most positions,
# and the pre-scan ran six times slower.
#: a block that declares an honoured property (the only blocks kept)
_RELEVANT = re.compile(
    r"(?:^|[;{\s])(?:" + "|".join(sorted(HONOURED, key=len, reverse=True)) + r")\s*:"
)
#: a block that may hide an element, or draw an image, by itself (its elements are looked at)
_MAY_HIDE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|opacity\s*:\s*[0.]+%?\s*(?:[;!}]|$)"
    r"|scale|matrix|translate|clip|-\s*\d{3,}|text-indent|font-size\s*:\s*0(?:\.0+)?[a-z%]*\s*(?:[;!]|$)"
    r"|(?:width|height)\s*:\s*[01](?:\.0+)?(?:px)?\s*(?:[;!]|$)|url\("
)

#: a block that shows an element again (an entrance animation's end: see _entrances)
_SHOWING_AGAIN = re.compile(
    r"opacity\s*:\s*(?:0*\.0*[1-9]|[1-9])|transform\s*:\s*(?:none|scale\(\s*1\s*\))"
)


@lru_cache(maxsize=1 << 14)
def hides_by_itself(body: str) -> bool:
    """Whether a rule's block can hide an element, or draw an image, whatever else applies
    to it: its declarations read as if the element were positioned absolutely, clipped to
    its box and shown as a block, whatever the block says of those (the other rules that
    apply to an element can make it so). A block that
    moves an element a little, shrinks its font or scales it to 1.05 hides nothing; only the
    elements of blocks that can hide are looked at by the cascade."""
    style: dict[str, str] = {}
    for prop, value, _ in block_declarations(body):
        for name, part in _longhands(prop, value):
            style[name] = part
    if style.get("visibility") in ("hidden", "collapse"):
        return True
    if "url(" in style.get("background-image", ""):
        return True
    if hidden_by({**style, "position": "absolute", "overflow-x": "hidden"}, "div"):
        return True
    return bool(text_hidden_by({**style, "display": "block"}, "div"))


def may_hide(declarations: str) -> bool:
    """Whether a block (or a ``style`` attribute) may hide an element, or draw an image,
    by itself."""
    return _MAY_HIDE.search(declarations.lower()) is not None


#: a selector list longer than this, or with more parentheses, is not read (hostile CSS)
MAX_SELECTOR = 4000
MAX_NESTING = 32
_UNAPPLIED_AT = frozenset({"supports", "layer", "container", "scope", "document"})


def _compiled_sheets() -> Any:
    """The compiled reading of a sheet's blocks (``_sheets.c``), bound to the honoured
    properties and the limits above; None where it was not built or ``NEWSWIRE_PURE_PYTHON``
    is set (the Python reading gives the same rules)."""
    if os.environ.get("NEWSWIRE_PURE_PYTHON"):
        return None
    try:
        _sheets = importlib.import_module(f"{__package__}._sheets")  # (a leaf: see walks)
    except ImportError:  # pragma: no cover - built without a C compiler
        return None
    names = tuple(n.encode() for n in sorted(HONOURED, key=len, reverse=True))
    _sheets.bind(names, MAX_SELECTOR, MAX_NESTING, Rule)
    return _sheets


_compiled = _compiled_sheets()


#: the CSS, in characters, whose rules are kept for the next page (a site sends the same
#: sheets, and the same ``<style>`` blocks, with every page)
SHEET_CACHE_CHARS = 16_000_000


class _SheetCache:
    """The rules of the sheets read last, up to :data:`SHEET_CACHE_CHARS` of their CSS
    (functools' ``lru_cache`` bounds a count, and sheets run from 100 bytes to 500 KB)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chars = 0
        self.kept: OrderedDict[str, tuple[Rule, ...]] = OrderedDict()

    def get(self, css: str) -> tuple[Rule, ...]:
        rules = self.kept.get(css)
        if rules is not None:
            self.kept.move_to_end(css)
            return rules
        rules = _read_sheet(css)
        if len(css) <= self.limit:
            self.kept[css] = rules
            self.chars += len(css)
            while self.chars > self.limit:
                old, _ = self.kept.popitem(last=False)
                self.chars -= len(old)
        return rules

    def clear(self) -> None:
        self.kept.clear()
        self.chars = 0


_SHEETS = _SheetCache(SHEET_CACHE_CHARS)


def sheet_rules(css: str) -> tuple[Rule, ...]:
    """The rules of one stylesheet whose blocks declare an honoured property, one per
    selector, with ``@media`` answered (kept for the next page: :data:`SHEET_CACHE_CHARS`)."""
    return _SHEETS.get(css)


def _read_sheet(css: str) -> tuple[Rule, ...]:
    """:func:`sheet_rules`, read.

    tinycss2 reads about 2 MB of CSS a second in Python, and a news page's own CSS is
    50-200 KB, most of it about colours and fonts: the sheet is first cut into its rules
    (comments dropped, ``@media`` blocks that do not hold cut out,
    ``@font-face``/``@keyframes``/``@page`` left out), and tinycss2 and cssselect2 read
    only the blocks and selectors the cascade of a hidden element asks for. The cutting
    into rules is compiled (``_sheets.c``) where it is built; :func:`_read_blocks` is the
    same in Python, the reference the tests hold it to."""
    css = css.lstrip("\ufeff")  # a byte-order mark, as a browser's decoder drops it
    if "/*" in css:
        css = _COMMENT.sub(" ", css)
    if "@" in css:
        css = _cut_unapplied(css)
    rules: list[Rule] = []
    if _compiled is None:
        _read_blocks(css, rules)
        return tuple(rules)
    try:
        items, whole = _compiled.read_blocks(css)
    except UnicodeError:  # a lone surrogate: not UTF-8
        _read_blocks(css, rules)
        return tuple(rules)
    if whole:  # every item a Rule (nearly every sheet)
        return tuple(items)
    # the k-th item's rules are numbered from k * 2**16 (the compiled ones are)
    for k, item in enumerate(items):
        if type(item) is Rule:
            rules.append(item)
        elif len(item) == 4:  # a selector list with nested parentheses: tinycss2 splits it
            _block_rules(item[0], item[1], item[2], item[3], rules, k << 16)
        else:  # a block with text outside ASCII: read here
            _read_block(item[0], item[1], rules, k << 16)
    return tuple(rules)


def _read_blocks(css: str, rules: list[Rule]) -> None:
    """The rules of ``css`` (comments and unapplied at-rules cut), appended to ``rules``."""
    # a block is what lies between a "{" and the "}" that closes it (str.split, not a regular
    # expression: five times faster); what follows the last "}" is not closed
    for part in css.split("}")[:-1]:
        head, brace, body = part.rpartition("{")
        if brace:
            _read_block(head[head.rfind("{") + 1 :], body, rules)


def _read_block(group: str, body: str, rules: list[Rule], first: int | None = None) -> None:
    """One block's rules (its selector list as written, after the "{" before it), appended
    to ``rules``, numbered from ``first`` (else from their place in ``rules``); what
    ``_sheets.c`` gives back to Python for a block outside ASCII."""
    folded = body.lower()
    if not _RELEVANT.search(folded):
        return
    group = group.rsplit(";", 1)[-1].strip()  # after an "@import …;" or a stray ";"
    if not group or group.startswith("@"):
        return
    if len(group) > MAX_SELECTOR or group.count("(") > MAX_NESTING:
        return  # no site writes these; tinycss2 would recurse as deep as the parentheses
    hides = _MAY_HIDE.search(folded) is not None
    shows = ("opacity" in folded or "transform" in folded) and (
        _SHOWING_AGAIN.search(folded) is not None
    )
    _block_rules(group, body, hides, shows, rules, first)


def _block_rules(group: str, body: str, hides: bool, shows: bool, rules: list[Rule],
                 first: int | None = None) -> None:  # fmt: skip
    for j, selector in enumerate(_split_group(group)):
        key, needs = _key_and_needs(selector)
        n = len(rules) if first is None else first + j
        rules.append(Rule(selector, body, n, key, hides, needs, shows))


def _cut_unapplied(css: str) -> str:
    """The sheet without the at-rule blocks that do not apply to the reader."""
    kept: list[str] = []
    at = 0
    for m in _AT_BLOCK.finditer(css):
        if m.start() < at:
            continue  # inside a block already cut
        keyword = m.group(1).lower()
        if keyword in _UNAPPLIED_AT or (keyword == "media" and media_matches(m.group(2))):
            continue  # its rules apply: they stay (the flat reading finds them inside)
        kept.append(css[at : m.start()])
        at = _block_end(css, m.end())
    kept.append(css[at:])
    return "".join(kept)


#: a block whose rules hold no block of their own, up to its closing brace (an ``@media``
#: block of plain rules, nearly every one): matched at once
_FLAT_BLOCK = re.compile(r"(?:[^{}]*\{[^{}]*\})*[^{}]*\}")


def _block_end(css: str, start: int) -> int:
    """Where the block opened just before ``start`` ends (after its closing brace), or the
    end of the sheet if it never closes: braces counted, one level of rules inside matched
    at once."""
    flat = _FLAT_BLOCK.match(css, start)
    if flat is not None:
        return flat.end()
    depth = 1
    for m in _BRACE.finditer(css, start):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return m.end()
    return len(css)


_TOP_COMMA = re.compile(r",(?![^()]*\))")
_NESTED = re.compile(r"\([^()]*\(")


@lru_cache(maxsize=1 << 14)
def _split_group(group: str) -> tuple[str, ...]:
    """A selector list split at its top-level commas (a regular expression for one level of
    parentheses, ``:not(.a, .b)``; tinycss2 for deeper ones)."""
    if "(" not in group:
        return tuple(s for part in group.split(",") if (s := part.strip()))
    if _NESTED.search(group) is None and group.count("(") == group.count(")"):
        return tuple(s for part in _TOP_COMMA.split(group) if (s := part.strip()))
    tokens = tinycss2.parse_component_value_list(group)
    return tuple(t for p in _selectors(tokens) if (t := tinycss2.serialize(p).strip()))


def _legacy_pseudo(text: str) -> bool:
    """``:before``/``:after`` written with one colon are pseudo-elements too."""
    return re.search(r":(?:before|after|first-line|first-letter)\b", text, re.I) is not None


@lru_cache(maxsize=1)
def _probe() -> LexborHTMLParser:
    return LexborHTMLParser("<p>")  # read, never changed


@lru_cache(maxsize=1 << 14)
def _lexbor_reads(selector: str) -> bool:
    """Whether lexbor can match this selector (one it cannot would break a joined query)."""
    try:
        _probe().css(selector)
    except (SelectolaxError, ValueError):
        return False
    return True


# --- the cascade ---------------------------------------------------------------------------


@dataclass(slots=True)
class Sheets:
    """A page's sheets, in order, with a look-up of their rules by the tag, id and
    classes they key on. Given the ids and classes the page has (``present``), the rules
    that need one it lacks are left out: they cannot match."""

    sheets: list[tuple[Rule, ...]] = field(default_factory=list)
    present: set[str] | None = None
    _by_key: dict[str, list[tuple[int, Rule]]] = field(default_factory=dict)
    every: list[tuple[Rule, ...]] = field(default_factory=list)  # those left out too

    def __post_init__(self) -> None:
        present = self.present
        self.every = self.sheets
        if present is not None:
            self.sheets = [tuple(r for r in rules if r.needs <= present) for rules in self.sheets]
        for number, rules in enumerate(self.sheets):
            for rule in rules:
                tag, ident, classes = rule.key
                token = f"#{ident}" if ident else f".{classes[0]}" if classes else tag or "*"
                self._by_key.setdefault(token, []).append((number, rule))

    def __bool__(self) -> bool:
        return any(self.sheets)

    def rules(self) -> Iterable[Rule]:
        for rules in self.sheets:
            yield from rules

    def for_node(self, node: Any) -> Iterable[tuple[int, Rule]]:
        """The rules whose rightmost compound asks for nothing the element lacks (tag, id,
        classes): they may match it, and lexbor decides."""
        attrs = node.attrs
        tag = node.tag or ""
        ident = attrs.get("id") or ""
        classes = set((attrs.get("class") or "").split())
        tokens = ["*", tag, *(f".{c}" for c in classes)]
        if ident:
            tokens.append(f"#{ident}")
        for token in tokens:
            for number, rule in self._by_key.get(token, ()):
                want_tag, want_id, want_classes = rule.key
                if (
                    (want_tag and want_tag != tag)
                    or (want_id and want_id != ident)
                    or (want_classes and not classes.issuperset(want_classes))
                ):
                    continue
                yield number, rule


#: an attribute set on an element while its rules are matched (see :func:`matching`)
_SELF = "data-newswire-self"


class _Compiled:
    """Selectors compiled once each by lexbor (``_walk.c``: ``compile``, ``match``), for
    :func:`matching`: selectolax parses a selector again at each question and looks through
    the element's whole subtree, about 3 us a question, and a page with a large sheet asks
    hundreds. At most :data:`LIMIT` are kept; then all are forgotten and compiled again as
    they are asked for (a memo of a pure function, as ``lru_cache`` keeps)."""

    LIMIT = 1 << 15

    def __init__(self, walk: Any) -> None:
        self.walk = walk
        self.numbers: dict[str, int] = {}

    def matches(self, node: Any, selector: str) -> bool:
        for _ in range(2):
            number = self.numbers.get(selector)
            if number is None:
                if len(self.numbers) >= self.LIMIT:
                    self.walk.reset()
                    self.numbers.clear()
                number = self.numbers[selector] = self.walk.compile(selector)
            if number < 0:
                return False  # a selector lexbor does not read matches nothing
            answer = self.walk.match(node.mem_id, number)
            if answer is not None:
                return bool(answer)
            # compiled before a reset (another thread's): compiled again
            self.numbers.pop(selector, None)
        return False


#: the probe for :func:`_compiled_selectors`: (selector, the element's id, whether it matches)
_MATCH_PROBE = (
    "<div id=a class='x y'><p id=b class=z>t</p><span id=c></span><p id=d></p></div>",
    [("div.x.y", "a", True), (".x p", "b", True), (".x p", "a", False), ("p + span", "c", True),
     ("p ~ p", "d", True), ("p:first-child", "b", True), ("p:not(.z)", "d", True),
     ("p:not(.z)", "b", False), ("#a > span", "c", True), ("div p", "c", False),
     ("[class~=z]", "b", True), ("span:empty", "c", True)],
)  # fmt: skip


@lru_cache(maxsize=1)
def _compiled_selectors() -> _Compiled | None:
    """The compiled selectors where the compiled walk is bound and finds lexbor's selector
    functions, and answers the probe as selectolax does; else None (selectolax is asked)."""
    walk = _bound_walk()
    if walk is None or walk.compile("p") is None:
        return None
    compiled = _Compiled(walk)
    html, cases = _MATCH_PROBE
    tree = LexborHTMLParser(html)
    for selector, ident, expected in cases:
        node = tree.css_first(f"#{ident}")
        if node is None or compiled.matches(node, selector) != expected:
            return None
    return compiled


def matching(node: Any, rules: Iterable[tuple[int, Rule]]) -> list[tuple[int, Rule]]:
    """The rules whose selector matches the element itself: compiled once each where the
    compiled walk is bound (:class:`_Compiled`), else asked of selectolax, whose
    ``css_matches`` answers whether the element *or any element inside it* matches (lexbor's
    find, from the element down): each selector is then asked with an attribute only this
    element carries, set for the time of the question and taken off after. (The two differ
    only on a selector lexbor does not read, which no rule with a specificity has.)"""
    rules = list(rules)
    if not rules:
        return []
    compiled = _compiled_selectors()
    if compiled is not None:
        return [(number, rule) for number, rule in rules if compiled.matches(node, rule.selector)]
    return _asked_of_selectolax(node, rules)


def _asked_of_selectolax(node: Any, rules: list[tuple[int, Rule]]) -> list[tuple[int, Rule]]:
    """:func:`matching` without the compiled selectors (the reference the tests hold them
    to)."""
    out = []
    node.attrs[_SELF] = ""
    try:
        for number, rule in rules:
            try:
                if node.css_matches(f"{rule.selector}[{_SELF}]"):
                    out.append((number, rule))
            except (SelectolaxError, ValueError):
                continue
    finally:
        del node.attrs[_SELF]
    return out


def style_of(node: Any, sheets: Sheets) -> dict[str, str]:
    """The cascaded values of the honoured properties for one element (shorthands read)."""
    best: dict[str, tuple[tuple[Any, ...], str]] = {}

    def offer(prop: str, value: str, rank: tuple[Any, ...]) -> None:
        for name, part in _longhands(prop, value):
            if name not in best or rank >= best[name][0]:
                best[name] = (rank, part)

    for sheet, rule in matching(node, sheets.for_node(node)):
        specificity = rule.specificity
        if specificity is None:
            continue
        for prop, value, important in rule.declarations:
            offer(prop, value, (important, False, specificity, (sheet, rule.n)))
    for prop, value, important in inline_style(node.attributes.get("style") or ""):
        offer(prop, value, (important, True, (0, 0, 0), (0, 0)))
    return {name: value for name, (_, value) in best.items()}


def _longhands(prop: str, value: str) -> list[tuple[str, str]]:
    if prop == "margin":
        parts = value.split()
        if not parts or len(parts) > 4:
            return []
        top = parts[0]
        left = parts[{1: 0, 2: 1, 3: 1, 4: 3}[len(parts)]]
        return [("margin-top", top), ("margin-left", left)]
    if prop == "overflow":
        first = value.split()[0] if value.split() else value
        return [("overflow-x", first), ("overflow-y", value.split()[-1] if value else value)]
    if prop == "background":
        m = _URL.search(value)
        return [("background-image", m.group(0) if m else "none")]
    return [(prop, value)]


def hidden_by(style: dict[str, str], tag: str) -> str:
    """How a style hides an element with all it holds ("" when it does not); visibility
    and text are read apart (:func:`text_hidden_by`), as descendants may show again."""
    if style.get("display") == "none":
        return "display: none"
    opacity = style.get("opacity", "")
    if opacity:
        try:
            number = float(opacity.rstrip("%"))
        except ValueError:
            number = 1.0
        if number <= 0:
            return "opacity: 0"
    transform = style.get("transform", "")
    if transform and transform != "none":
        if _scaled_away(transform):
            return "transform: scale(0)"
        if _translated_away(transform):
            return "transform: translate off screen"
    position = style.get("position", "static")
    if position in ("absolute", "fixed", "relative", "sticky"):
        for side, sign in (("left", -1), ("top", -1), ("right", 1), ("bottom", 1)):
            px = length_px(style.get(side, ""), 0 if side in ("left", "right") else 1)
            if px is not None and px * sign >= OFFSCREEN_PX:
                return f"{side}: {style[side]} (off screen)"
    for side in ("margin-left", "margin-top"):
        px = length_px(style.get(side, ""))
        if px is not None and px <= -OFFSCREEN_PX:
            return f"{side}: {style[side]} (off screen)"
    if position in ("absolute", "fixed") and _clipped_away(style.get("clip", "")):
        return f"clip: {style['clip']}"
    clip_path = style.get("clip-path", "")
    if clip_path and _clip_path_away(clip_path):
        return f"clip-path: {clip_path}"
    overflow = {style.get("overflow-x", ""), style.get("overflow-y", "")}
    clips = bool(overflow & {"hidden", "clip", "scroll", "auto"}) or tag in _IMAGES
    if clips:
        for prop in ("width", "height", "max-width", "max-height"):
            px = length_px(style.get(prop, ""))
            if px is not None and px <= 1:
                return f"{prop}: {style[prop]}"
    return ""


def text_hidden_by(style: dict[str, str], tag: str) -> str:
    """How a style hides an element's text and inline images (not its background)."""
    indent = length_px(style.get("text-indent", ""))
    display = style.get("display", "inline" if tag in _INLINE else "block")
    if indent is not None and indent <= -OFFSCREEN_PX and display != "inline":
        return f"text-indent: {style['text-indent']}"
    size = length_px(style.get("font-size", ""))
    if size is not None and size <= 0:
        return "font-size: 0"
    return ""


def _numbers(args: str) -> list[float]:
    out = []
    for part in re.split(r"[\s,]+", args.strip()):
        try:
            out.append(float(part.rstrip("%")))
        except ValueError:
            continue
    return out


def _scaled_away(transform: str) -> bool:
    for m in _SCALE.finditer(transform):
        if any(n == 0 for n in _numbers(m.group(1))):
            return True
    for m in _MATRIX.finditer(transform):
        n = _numbers(m.group(1))
        if len(n) == 6 and n[0] * n[3] - n[1] * n[2] == 0:
            return True
    return False


def _translated_away(transform: str) -> bool:
    for m in _TRANSLATE.finditer(transform):
        axis, args = m.group(1), [a for a in re.split(r"\s*,\s*", m.group(2).strip()) if a]
        values = args[:2] if not axis else args[:1]
        for i, arg in enumerate(values):
            px = length_px(arg, 1 if axis == "y" or i == 1 else 0)
            if px is not None and px <= -OFFSCREEN_PX:
                return True
    return False


def _clipped_away(clip: str) -> bool:
    m = _CLIP_RECT.search(clip)
    if m is None:
        return False
    values = [length_px(v) for v in re.split(r"[\s,]+", m.group(1).strip()) if v]
    if len(values) != 4 or any(v is None for v in values):
        return False
    top, right, bottom, left = (v or 0.0 for v in values)
    return right - left <= 1 or bottom - top <= 1


def _clip_path_away(value: str) -> bool:
    m = _INSET.search(value)
    if m is not None:
        parts = _ROUND.sub("", m.group(1)).split()
        if not parts:
            return False
        while len(parts) < 4:
            parts = parts + parts[{1: 0, 2: 0, 3: 1}[len(parts)] : {1: 1, 2: 2, 3: 2}[len(parts)]]
        top, right, bottom, left = (_percent(p) for p in parts[:4])
        return (top + bottom >= 100) or (left + right >= 100)
    circle = re.search(r"(circle|ellipse)\(\s*([^)\s]*)(?:\s+([^)\s]*))?", value)
    if circle is not None:
        radii = [r for r in (circle.group(2), circle.group(3)) if r and r != "at"]
        return any(_percent(r) == 0 or length_px(r) == 0 for r in radii)
    return False


def _percent(value: str) -> float:
    value = value.strip()
    if value.endswith("%"):
        try:
            return float(value[:-1])
        except ValueError:
            return 0.0
    return 0.0 if length_px(value) is None else -1.0  # a length: not read as a share


# --- a page's verdicts ----------------------------------------------------------------------


@dataclass(slots=True)
class Shown:
    """What a page's styles decide: the elements hidden with all they hold (and how),
    the elements whose own text is hidden, the elements that show again inside a hidden
    one (``visibility: visible``), and the background images the rules give elements."""

    gone: list[tuple[Any, str]] = field(default_factory=list)
    textless: list[tuple[Any, str]] = field(default_factory=list)
    unhidden: dict[int, list[Any]] = field(default_factory=dict)
    backgrounds: list[tuple[Any, str]] = field(default_factory=list)


# matched against the page's bytes folded to lower case (with re.I, four times slower)
_MEDIA_ATTR = re.compile(rb"""\bmedia\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


#: ``<style`` and ``</style`` in any case (a regular expression that starts with a literal:
#: faster than lower-casing the page to find them, which copies it)
_STYLE_OPEN = re.compile(rb"<[sS][tT][yY][lL][eE]")
_STYLE_CLOSE = re.compile(rb"</[sS][tT][yY][lL][eE]")


def style_blocks(body: bytes, opens: Sequence[int] | None = None) -> tuple[str, ...]:
    """The CSS of a page's ``<style>`` blocks whose ``media`` holds, read from its bytes (the
    parse drops them for the page's text: the few pages that may hold a story read them
    here). Found by their tags, five times faster than a regular expression's lazy
    ``(.*?)</style>`` over a page; ``opens``: where the page's ``<style`` are, found
    already (:func:`.embedded.page_marks`), else searched for here."""
    out = []
    places = iter(opens) if opens is not None else None

    def first_from(start: int) -> int:
        if places is None:
            found = _STYLE_OPEN.search(body, start)
            return found.start() if found is not None else -1
        return next((at for at in places if at >= start), -1)

    at = first_from(0)
    while at >= 0:
        after = body[at + 6 : at + 7]
        if after.isalnum() or after == b"_":  # <styles>, not <style>
            at = first_from(at + 6)
            continue
        opened = body.find(b">", at)
        shut = _STYLE_CLOSE.search(body, opened) if opened != -1 else None
        if shut is None:
            break  # never closed: the rest of the page is not a style block
        closing = shut.start()
        attrs, start = body[at + 6 : opened].lower(), opened + 1
        next_at = first_from(closing + 7)
        media = _MEDIA_ATTR.search(attrs) if attrs.strip() else None
        if media is not None:
            said = next(g for g in media.groups() if g is not None)
            if not media_matches(said.decode("latin-1")):
                at = next_at
                continue
        out.append(body[start:closing].decode("utf-8", "replace"))
        at = next_at
    return tuple(out)


def page_styles(page: Any, opens: Sequence[int] | None = None) -> tuple[str, ...]:
    """A page's CSS in the order it applies: its linked sheets where the caller fetched them
    (``Page.styles``), then its own ``<style>`` blocks (``opens``: see :func:`style_blocks`)."""
    return (*page.styles, *style_blocks(page.body, opens))


def page_sheets(tree: Any, linked: Sequence[str] = (), *, styles_taken: bool = False) -> Sheets:
    """The rules of the page's linked sheets (fetched by the caller, in order) and of its
    ``<style>`` blocks whose ``media`` holds, less those that need an id or a class the
    page lacks. ``styles_taken``: the tree's ``<style>`` blocks were taken out when it was
    parsed (:func:`.decoding.parse`) and ``linked`` ends with them (:func:`page_styles`):
    the tree is not searched for them (a walk of the whole page)."""
    sheets = [sheet_rules(css) for css in linked]
    for node in () if styles_taken else tree.css("style"):
        if media_matches(node.attributes.get("media") or ""):
            sheets.append(sheet_rules(node.text(deep=True) or ""))
    if not any(sheets):
        return Sheets()
    return Sheets(sheets, _present_keys(tree.root if tree.root is not None else tree.body))


#: what :func:`shown` looks at besides the rules' selectors (see there)
_MARKED = "[style], [hidden], dialog:not([open]), details:not([open])"


def shown(
    tree: Any, root: Any, linked: Sequence[str] = (), *, styles_taken: bool = False
) -> Shown:
    """Decide, for one parsed page, what its styles hide and what they draw
    (``styles_taken``: see :func:`page_sheets`)."""
    sheets = page_sheets(tree, linked, styles_taken=styles_taken)
    result = Shown()
    present = sheets.present or set()
    hiding = list(
        dict.fromkeys(
            r.selector
            for r in sheets.rules()
            if r.hides and hides_by_itself(r.body) and r.specificity is not None
        )
    )
    # the elements with a style attribute, the hidden attribute, a closed <dialog> or
    # <details>: one query (each query is a walk of the whole page), sorted out here
    marked = root.css(_MARKED)
    candidates: dict[int, Any] = {}
    for node in marked:  # an inline style that may hide by itself
        if "style" in node.attributes and may_hide(node.attrs.get("style") or ""):
            candidates[node.mem_id] = node
    for node in marked:
        attrs = node.attributes
        if "hidden" in attrs or (node.tag == "dialog" and "open" not in attrs):
            candidates.setdefault(node.mem_id, node)
    for selector in _chunks(hiding):
        for node in root.css(selector):
            candidates.setdefault(node.mem_id, node)
    hidden_visibility: list[Any] = []
    entrances: set[str] | None = None
    for node in candidates.values():
        tag = node.tag or ""
        if tag in ("html", "body", "head", "style", "script"):
            continue
        style = style_of(node, sheets)
        attrs = node.attributes
        if "display" not in style and (
            ("hidden" in attrs and tag != "input") or (tag == "dialog" and "open" not in attrs)
        ):
            result.gone.append((node, "the hidden attribute" if tag != "dialog"
                                else "a closed <dialog>"))  # fmt: skip
            continue
        how = hidden_by(style, tag)
        if how and how.startswith(("opacity", "transform: scale")):
            if entrances is None:
                entrances = _entrances(sheets, present)
            if _plays_in(node, sheets, entrances):
                how = ""  # an entrance animation: the page's script plays it as one scrolls
        if how:
            result.gone.append((node, how))
            continue
        if style.get("visibility") in ("hidden", "collapse"):
            hidden_visibility.append(node)
        how = text_hidden_by(style, tag)
        if how:
            result.textless.append((node, how))
        background = style.get("background-image", "")
        if "url(" in background:
            m = _URL.search(background)
            if m is not None and not m.group(2).startswith("data:"):
                result.backgrounds.append((node, m.group(2).strip()))
    for node in marked:
        if node.tag != "details" or "open" in node.attributes:
            continue
        summary_seen = False
        child = node.child
        while child is not None:
            if child.tag == "summary" and not summary_seen:
                summary_seen = True
            elif child.tag == "-text":
                if (child.text_content or "").strip():
                    result.gone.append((child, "a closed <details>"))
            elif child.tag and not child.tag.startswith("-"):
                result.gone.append((child, "a closed <details>"))
            child = child.next
    # (the rules that show again are read only on a page that hides by visibility)
    showing = (
        [
            r.selector
            for r in sheets.rules()
            if "visible" in r.body
            and r.specificity is not None
            and any(p == "visibility" and v == "visible" for p, v, _ in r.declarations)
        ]
        if hidden_visibility
        else []
    )
    for node in hidden_visibility:
        inner: dict[int, Any] = {}
        for selector in ["[style]", *_chunks(showing)]:
            for d in node.css(selector):
                inner.setdefault(d.mem_id, d)
        shown_again = [d for d in inner.values()
                       if style_of(d, sheets).get("visibility") == "visible"]  # fmt: skip
        if shown_again:
            result.unhidden[node.mem_id] = shown_again
        result.gone.append((node, "visibility: hidden"))
    return result


def _entrances(sheets: Sheets, present: set[str]) -> set[str]:
    """The selectors of rules that hide, brought back by another rule once a class the page
    lacks is added: ``.site-main img{opacity:0}`` with ``.site-main img.visible{opacity:1}``
    is an entrance animation that a script plays as the reader scrolls, and the image counts
    as shown. Only the same selector with a class added counts, and only for ``opacity`` and
    ``transform``; ``display`` and ``visibility`` toggles (menus, dialogs, tabs) wait for
    the reader to act: they stay hidden."""
    out = set()
    for rule in (r for rules in sheets.every for r in rules):
        if not rule.shows or rule.needs <= present:
            continue  # it does not show, or every class it names is on the page
        classes = set(_CLASS.findall(rule.selector))
        missing = {c for c in classes if f".{c}" not in present}
        if not missing:
            continue
        stripped = rule.selector
        for c in missing:
            stripped = _drop_class(stripped, c)
        stripped = " ".join(stripped.split())
        if stripped and stripped[-1] not in ">+~" and stripped != rule.selector:
            out.add(stripped)
    return out


def _drop_class(selector: str, name: str) -> str:
    """``selector`` without ``.name`` where no name character follows it: what
    ``re.sub(rf"\\.{re.escape(name)}(?![\\w-])", "", selector)`` gives, without making an
    expression for each class (a page's first entrances made hundreds; the tests compare
    the two)."""
    needle = "." + name
    out, at = [], 0
    i = selector.find(needle)
    while i >= 0:
        end = i + len(needle)
        after = selector[end : end + 1]
        if after and (after.isalnum() or after in "_-"):
            i = selector.find(needle, i + 1)
            continue
        out.append(selector[at:i])
        at = end
        i = selector.find(needle, end)
    out.append(selector[at:])
    return "".join(out)


def _plays_in(node: Any, sheets: Sheets, entrances: set[str]) -> bool:
    """Whether a rule that hides the element by opacity or scale is one an entrance brings
    back (:func:`_entrances`)."""
    asked = [
        (n, rule)
        for n, rule in sheets.for_node(node)
        if " ".join(rule.selector.split()) in entrances and rule.specificity is not None
    ]
    return bool(matching(node, asked))


def _chunks(selectors: list[str], size: int = 200) -> list[str]:
    """Selectors joined into few queries (each query is one walk of the page)."""
    return [", ".join(selectors[i : i + size]) for i in range(0, len(selectors), size)]


def _present_keys(root: Any) -> set[str]:
    """The ids and classes the page has, ``root`` included (a rule that needs one it lacks
    cannot match): read by the compiled walk (``_walk.c``) where it is bound, else here."""
    walk = _bound_walk()
    if walk is not None:
        found: set[str] = walk.keys(root.mem_id)
        return found
    return _present_keys_python(root)


@lru_cache(maxsize=1)
def _bound_walk() -> Any:
    """The compiled walk where walks.py bound it (built, checked on its probe page, and
    ``NEWSWIRE_PURE_PYTHON`` not set), else None."""
    from .walks import WALK

    return WALK


def _present_keys_python(root: Any) -> set[str]:
    """:func:`_present_keys` in Python (the reference the tests hold the compiled one to)."""
    keys: set[str] = set()
    for node in (root, *root.css("[id]")):
        if node.attrs.get("id"):
            keys.add(f"#{node.attrs.get('id')}")
    classes: set[str] = set()
    for node in (root, *root.css("[class]")):
        classes.update((node.attrs.get("class") or "").split())
    keys.update(f".{c}" for c in classes)
    return keys
