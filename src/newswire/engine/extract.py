"""Stage 2 — extract: from a page's bytes to text, blocks, images and links.

Three speeds, as the pipeline needs them:

* :func:`sift` reads the text between the tags of a page's raw bytes without
  parsing it (scripts, styles and comments left out, entities decoded): close enough to
  the parsed text for the index to tell whether the page may hold a story, at a fraction
  of the cost of a parse (compiled, with numpy as the fallback; :func:`sift_signature`
  fingerprints it in the same call). Most pages of a crawl end there.
* :func:`parse` decodes the bytes (declared charset, ``<meta>`` charset, UTF-8,
  then windows-1252), refuses pages that would cost too much (markup nested
  thousands deep makes lexbor quadratic), and parses once with selectolax's
  lexbor backend. :func:`quick_text` takes the visible text for fingerprinting.
* :func:`extract` walks the same tree once more, only for pages that the
  index says may hold a story, and returns :class:`~.types.Extracted`: blocks
  in reading order (with their enclosing elements, so that a story's region
  of the page can be found), images and links with the HTML that carries them.
"""

from __future__ import annotations

import html
import importlib
import os
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from selectolax.lexbor import LexborHTMLParser

from .embedded import MARKERS as DATA_MARKERS
from .embedded import has_data
from .errors import PageError
from .fingerprint import COMPILED, signature
from .styles import shown
from .types import Block, Extracted, Image, Link, Page, Signature

#: Nesting deeper than this is refused before parsing (lexbor is quadratic in depth).
MAX_DEPTH = 2000
#: An unclosed script, style or comment longer than this (bytes) puts the sift in doubt, and
#: so does sifted text under 1/THIN_SHARE of the bytes outside them, on a page with more
#: than THIN_PAGE such bytes.
UNCLOSED = 2048
THIN_SHARE = 40
THIN_PAGE = 20_000

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
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")
_VOID = frozenset(
    b"area base br col embed hr img input link meta source track wbr p li td th tr option "
    b"dt dd".split()
)


_UTF8 = frozenset({"utf-8", "utf8", "unicode-1-1-utf-8"})
_LATIN = frozenset(
    {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "us-ascii", "ascii"}
)


def declared_charset(page: Page) -> str | None:
    """Return the charset the HTTP header or the page's ``<meta>`` declares, lower-cased."""
    if page.charset:
        return page.charset.lower()
    meta = _META_CHARSET.search(page.body[:4096])
    return meta.group(1).decode("ascii", "ignore").lower() if meta else None


def decode(page: Page) -> str:
    """Return the page's text, trusting a declared charset only if the bytes agree with it.

    UTF-8 bytes under a Latin label are UTF-8 (cp1252 text is almost never
    valid UTF-8); undeclared or lying pages fall back to windows-1252, which
    is what undeclared Western pages most often are (WHATWG treats latin-1 as
    an alias of it); undefined bytes become U+FFFD.
    """
    return decode_bytes(page.body, declared_charset(page))


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Decode ``data`` as :func:`decode` decodes a page that declares ``declared``."""
    return decode_with(data, declared)[0]


def decode_with(data: bytes, declared: str | None) -> tuple[str, str]:
    """:func:`decode_bytes`, and the codec it used ("cp1252 (replaced)": none fitted)."""
    order = ["utf-8"] if declared in _UTF8 or declared in _LATIN or not declared else []
    order += [declared] if declared and declared not in _UTF8 else []
    for name in order:
        # WHATWG decodes every Latin-1 label as windows-1252 (curly quotes at 0x91-0x94)
        codec = "cp1252" if name in _LATIN else name or "utf-8"
        try:
            return data.decode(codec).replace("\x00", ""), codec
        except (LookupError, UnicodeDecodeError):
            continue  # a lying or unknown charset: try the next
    return data.decode("cp1252", errors="replace").replace("\x00", ""), "cp1252 (replaced)"


def nesting_depth(body: bytes) -> int:
    """Estimate how deep the page's elements nest (only paid for pages with many tags)."""
    depth = deepest = 0
    for m in _TAG.finditer(body):
        closing, name, self_closing = m.groups()
        if self_closing or name.lower() in _VOID:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
    return deepest


def _count_byte(data: bytes, value: int) -> int:
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == value))


def screen(page: Page, *, max_depth: int = MAX_DEPTH, depth: bool = True) -> None:
    """Raise :class:`PageError` for a page the engine will not read: binary data,
    no markup, or (with ``depth``) markup nested deeper than ``max_depth``:
    cheap checks, before anything costly is done with the page."""
    body = page.body
    if b"\x00" in body[:1024] and body.count(b"\x00") > len(body) // 10:
        raise PageError("binary data, not HTML", reason="not_html")
    if depth:
        # numpy counts the "<" at memory speed, about 3x bytes.count (measured on the crawl)
        _refuse_deep(body, _count_byte(body, 0x3C) if len(body) > 30_000 else 0, max_depth)
    head = body[:4096].lstrip()
    if head and not head.startswith((b"<", b"\xef\xbb\xbf<")):
        # only a page that does not open with markup pays for this look
        start = body[:65536].lower()
        if b"<html" not in start and b"<p" not in start and b"<div" not in start:
            raise PageError("no HTML markup", reason="not_html")


def _refuse_deep(body: bytes, tags: int, max_depth: int) -> None:
    """Raise for markup nested deeper than ``max_depth`` (lexbor is quadratic in depth).

    10,000 tags take at least 30 kB; only a page with that many can nest deep
    enough to matter, so only such a page pays for measuring its depth.
    """
    if len(body) > 30_000 and tags > 10_000:
        deepest = nesting_depth(body)
        if deepest > max_depth:
            raise PageError(
                f"markup nested {deepest} levels deep (limit {max_depth})", reason="too_deep"
            )


# --- the sift: text between the tags, without a parse --------------------------


def _prefix(text: bytes) -> tuple[np.uint64, np.uint64]:
    """Return (value, mask) that test whether 8 little-endian bytes start with ``text``."""
    value = int.from_bytes(text.ljust(8, b"\0"), "little")
    return np.uint64(value), np.uint64((1 << (8 * len(text))) - 1)


_ASCII_LOWER = np.uint64(0x2020202020202020)  # sets bit 5 of each byte: A-Z -> a-z
_LOW_BYTE = np.uint64(0xFF)
# elements whose content is not text (raw-text elements), with their end tags
_RAW_TEXT = tuple(
    (_prefix(name), _prefix(b"/" + name), len(name)) for name in (b"script", b"style")
)
_COMMENT_OPEN = _prefix(b"!--")


def _is_name_byte(x: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    return ((x >= 0x61) & (x <= 0x7A)) | ((x >= 0x30) & (x <= 0x39))


def _first_at_or_after(
    sorted_positions: npt.NDArray[np.intp], at: npt.NDArray[np.intp], default: int
) -> npt.NDArray[np.intp]:
    """Return, for each of ``at``, the first of ``sorted_positions`` >= it (else ``default``)."""
    if not sorted_positions.shape[0]:
        return np.full(at.shape[0], default, dtype=np.intp)
    i = np.searchsorted(sorted_positions, at)
    last = sorted_positions.shape[0] - 1
    found: npt.NDArray[np.intp] = np.where(
        i <= last, sorted_positions[np.minimum(i, last)], default
    )
    return found


def _stretches(
    start: npt.NDArray[np.intp], end: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The stretches a browser's tokenizer leaves out, from every place one may open.

    Raw-text elements and comments do not nest: inside ``<script>`` only ``</script``
    ends it (a ``"<style"`` or ``"<!--"`` in the script's strings opens nothing), inside a
    comment only ``-->``. Each candidate ``start`` comes with the end its own kind would
    have (``end``); a candidate that lies inside an earlier stretch is no stretch at all.
    Taking each on its own, as the sift first did, let the ``"<style"`` in an inlined
    jQuery open a stretch that never closed and drop the rest of the page. Returns the
    kept stretches' starts (sorted) and their ends (running maximum).
    """
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    # the usual page: no candidate inside an earlier one, every candidate is a stretch
    if start.shape[0] < 2 or bool((start[1:] >= reach[:-1]).all()):
        return start, reach
    # otherwise walk them in order, as the tokenizer does (a handful per page)
    kept_start: list[int] = []
    kept_end: list[int] = []
    shut = -1
    for s, e in zip(start.tolist(), end.tolist(), strict=True):
        if s < shut:
            continue  # opened inside a script, style or comment: text, not markup
        kept_start.append(s)
        kept_end.append(e)
        shut = e
    return np.asarray(kept_start, dtype=np.intp), np.asarray(kept_end, dtype=np.intp)


def _carries_data(body: bytes, opens: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Which of the ``<script`` at ``opens`` carry the page's text as data (JSON-LD,
    ``__NEXT_DATA__``, ``__NUXT__``, Arc's ``Fusion.globalContent``): the sift keeps their
    content as text, so that a copy drawn by JavaScript is looked up too."""
    keep = np.zeros(opens.shape[0], dtype=bool)
    # from each marker back to the script it is in (a page has a few markers and scores of
    # scripts): a marker within 400 bytes of the nearest "<script" before it
    for marker in DATA_MARKERS:
        at = body.find(marker)
        while at >= 0:
            i = int(np.searchsorted(opens, at, side="right")) - 1
            if i >= 0 and at - int(opens[i]) < 400:
                keep[i] = True
            at = body.find(marker, at + len(marker))
    return keep


class Sifted(NamedTuple):
    """What :func:`_between_tags` read: the text, the number of ``<``, whether a stretch it
    left out never closed, and how many bytes lie outside the stretches left out."""

    text: bytes
    tags: int
    unclosed: bool
    outside: int


def _between_tags(body: bytes, keep_data: bool = False) -> Sifted:
    """Return what the sift reads of ``body`` (see :func:`_between_tags_numpy`): compiled
    when the engine's C part is built, else with numpy; the two give the same."""
    if COMPILED is None:
        return _between_tags_numpy(body, keep_data)
    text, tags, unclosed, outside, data = COMPILED.between_tags(body, keep_data)
    return Sifted(b" ".join([text, *data]) if data else text, tags, unclosed, outside)


def _between_tags_numpy(body: bytes, keep_data: bool = False) -> Sifted:
    """Return the bytes of ``body`` between its tags, without comments, scripts and styles.

    Written by hand, with numpy, because no library reads text from HTML
    without building a tree, and the tree is the cost being avoided. One pass
    finds every ``<`` and ``>``; the text is each run from a ``>`` to the next
    ``<`` (the ``>`` kept as a space between runs), less the runs that start
    inside a comment, a script or a style. A ``<`` or ``>`` written as text
    (not as ``&lt;``) costs the words up to the next tag. With ``keep_data`` the scripts
    that carry text as data are kept. Return the text, the number of ``<``, and whether
    the sift is in doubt: a stretch it left out never closed, which a browser would
    show as text (or a sift bug would leave out): the page is then parsed, whatever its
    sifted text holds.
    """
    b = np.frombuffer(body, dtype=np.uint8)
    n = b.shape[0]
    marks = np.flatnonzero((b | 2) == 0x3E)  # "<" is 0x3C, ">" is 0x3E
    if n < 8 or not marks.shape[0]:
        return Sifted(body, body.count(b"<"), False, n)
    opening = b[marks] == 0x3C
    run = ~opening[:-1] & opening[1:]
    run_start = np.concatenate(([0], marks[:-1][run], marks[-1:]))
    run_end = np.concatenate((marks[:1], marks[1:][run], [n]))
    if opening[-1]:  # nothing after a last "<"
        run_start, run_end = run_start[:-1], run_end[:-1]
    # stretches to leave out: "<script" … "</script", "<style" … "</style", "<!--" … "-->"
    lt = marks[opening]
    # the 8 bytes after each "<" as one integer, letters lower-cased: a strided
    # uint64 view over the bytes (unaligned reads, no copy)
    view = np.ndarray(shape=(n - 7,), dtype="<u8", buffer=body, strides=(1,))
    after = view[np.minimum(lt + 1, n - 8)] | _ASCII_LOWER
    opens_at: list[npt.NDArray[np.intp]] = []
    ends_at: list[npt.NDArray[np.intp]] = []
    data: list[bytes] = []
    for (open_value, open_mask), (close_value, close_mask), size in _RAW_TEXT:
        named = (after & open_mask) == open_value
        if not named.any():
            continue
        follows = ((after >> np.uint64(8 * size)) & _LOW_BYTE).astype(np.uint8)
        opens = lt[named & ~_is_name_byte(follows)]  # "<script>", not "<scripts>"
        closes = lt[(after & close_mask) == close_value]
        ends = _first_at_or_after(closes, opens + 1, n)
        opens_at.append(opens)
        ends_at.append(ends)
        if keep_data and size == 6 and opens.shape[0]:
            # scripts that carry the page's text as data: their content is read whole (a
            # script's ">" would cut it into runs), after the text of the page
            carries = _carries_data(body, opens)
            for at, end in zip(opens[carries].tolist(), ends[carries].tolist(), strict=True):
                data.append(body[body.find(b">", at, end) + 1 : end])
    value, mask = _COMMENT_OPEN
    comments = lt[(after & mask) == value]
    if comments.shape[0]:
        shut = (
            ~opening & (b[np.maximum(marks - 1, 0)] == 0x2D) & (b[np.maximum(marks - 2, 0)] == 0x2D)
        )
        opens_at.append(comments)
        ends_at.append(_first_at_or_after(marks[shut], comments + 4, n))
    doubt = False
    outside = n  # bytes outside the stretches left out
    starts = np.concatenate(opens_at) if opens_at else np.zeros(0, dtype=np.intp)
    if starts.shape[0]:
        start, reach = _stretches(starts, np.concatenate(ends_at))
        # a stretch that runs to the end of the page without its close: left out by
        # the sift, shown as text by a browser (an unclosed comment is, too)
        doubt = int(reach[-1]) >= n and n - int(start[-1]) > UNCLOSED
        upto = np.minimum(reach, np.append(start[1:], n))
        outside -= int(np.maximum(upto - start, 0).sum())
        # a run is inside a stretch if it starts after the stretch's "<" and before its end
        k = np.searchsorted(start, run_start, side="right") - 1
        inside = (k >= 0) & (run_start < reach[np.maximum(k, 0)])
        run_start, run_end = run_start[~inside], run_end[~inside]
    live = run_end > run_start
    run_start, run_end = run_start[live], run_end[live]
    small: type[np.signedinteger[Any]] = np.int32 if n < 2**31 else np.int64
    lengths = (run_end - run_start).astype(small)  # int32: half the index traffic
    shift = run_start.astype(small) - np.concatenate(([0], np.cumsum(lengths)[:-1]))
    index = np.arange(int(lengths.sum()), dtype=small) + np.repeat(shift, lengths)
    text: bytes = b[index].tobytes().replace(b">", b" ")
    if data:
        text = b" ".join([text, *data])
    return Sifted(text, int(lt.shape[0]), doubt, outside)


def sift_text(page: Page, *, max_depth: int = MAX_DEPTH) -> str:
    """The sifted text of a page (:func:`sift` without its doubt)."""
    return sift(page, max_depth=max_depth)[0]


def sift(page: Page, *, max_depth: int = MAX_DEPTH) -> tuple[str, bool]:
    """Return the page's text, close to what :func:`quick_text` reads, without parsing it.

    It also holds the text of ``<head>`` (the title), which the parsed text
    leaves out. Raise :class:`PageError` as :func:`parse` does. Bytes are decoded as
    :func:`parse` decodes them (UTF-8, else the declared charset, else
    windows-1252); entities are decoded. Markup that only a parser gets right
    (a ``>`` inside a quoted attribute, ``<script>`` text in a comment) can
    cost a few words; the pipeline asks less of this text than of the parsed
    one and parses every page it lets through.

    The text of scripts that carry the page's text as data (:mod:`.embedded`) is kept.
    Returns the text, and whether the sift is in doubt about it (a stretch it left out
    never closed): the pipeline then parses the page whatever the text holds.
    """
    screen(page, max_depth=max_depth, depth=False)
    declared = declared_charset(page)
    # (the compiled sift finds the data scripts itself, for the price of a look after each
    # "<script"; with numpy a page without any marker is spared the work)
    data = COMPILED is not None or has_data(page.body)
    if declared is None or declared in _UTF8 or declared in _LATIN:
        # "<" and ">" are single bytes in these encodings: cut first, decode the
        # text alone (a tenth of the page)
        sifted = _between_tags(page.body, data)
        text = _sifted_text(sifted.text, declared)
    else:
        sifted = _between_tags(decode(page).encode("utf-8"), data)
        text = _sifted_text(sifted.text, "utf-8")
    _refuse_deep(page.body, sifted.tags, max_depth)  # the "<" are counted already
    return text, _in_doubt(sifted.unclosed, len(sifted.text), sifted.outside)


def _sifted_text(raw: bytes, declared: str | None) -> str:
    """The sift's bytes as text: decoded as the page is, character references read."""
    text = decode_bytes(raw, declared)
    return html.unescape(text) if "&" in text else text


def _in_doubt(unclosed: bool, length: int, outside: int) -> bool:
    """Whether the sift is in doubt about a page: a stretch it left out never closed, or
    (the safety net, whatever the sift got wrong: markup holds text) its text is a small
    share of the bytes outside scripts, styles and comments, so text was lost somewhere
    (the least share on the dev corpus's 887 pages is 1/17)."""
    return unclosed or (outside > THIN_PAGE and length * THIN_SHARE < outside)


def sift_signature(
    page: Page, *, window: int, sample: int, max_depth: int = MAX_DEPTH
) -> tuple[Signature, bool]:
    """The fingerprint of the page's sifted text and the sift's doubt: what
    ``signature(sift(page))`` gives, in one compiled call for a page that is (or claims
    to be) UTF-8 or Latin. Decoding the sifted bytes, reading their character references
    and encoding them again for the fingerprint cost more in Python than the sift and the
    fingerprint themselves; the compiled call reads references with html.unescape's own
    tables and hands a page back to Python when its text is not UTF-8 or a reference
    needs Python's reading (a name with a non-ASCII character)."""
    declared = declared_charset(page)
    if COMPILED is None or not (declared is None or declared in _UTF8 or declared in _LATIN):
        text, doubt = sift(page, max_depth=max_depth)
        return signature(text, window=window, sample=sample), doubt
    screen(page, max_depth=max_depth, depth=False)
    packed, raw, tags, unclosed, outside, length = COMPILED.sift_signature(
        page.body, True, window, sample
    )
    _refuse_deep(page.body, tags, max_depth)
    doubt = _in_doubt(unclosed, length, outside)
    if packed is None:  # the Python path for the rest, as sift() takes it
        return signature(_sifted_text(raw, declared), window=window, sample=sample), doubt
    return Signature(np.frombuffer(packed, dtype=np.uint64)), doubt


def parse(
    page: Page, *, max_depth: int = MAX_DEPTH, screened: bool = False
) -> tuple[LexborHTMLParser, str]:
    """Decode and parse a page; return the tree and its visible text.

    Raise :class:`PageError` for pages the engine will not parse
    (``screened``: :func:`sift` has already checked this page, depth
    included). The common case costs one parse: bytes that are (or claim to
    be) UTF-8 go to lexbor as they are, and only a page whose text comes out
    with U+FFFD, or that declares another charset, is decoded here first.
    """
    if not screened:
        screen(page, max_depth=max_depth)
    body = page.body
    declared = declared_charset(page)
    if declared is None or declared in _UTF8:
        tree = LexborHTMLParser(body.replace(b"\x00", b"") if b"\x00" in body else body)
        text = quick_text(tree)
        if "\ufffd" not in text:
            return tree, text
    tree = LexborHTMLParser(decode(page).encode("utf-8"))
    return tree, quick_text(tree)


def quick_text(tree: LexborHTMLParser) -> str:
    """Return the page's visible text, fast: scripts and styles removed.

    Each tag stripped is a walk of the whole tree; the few words inside
    ``<noscript>``, ``<svg>`` or ``<template>`` cost a page's hashes less than
    three more walks (and :func:`extract` leaves them out).
    """
    tree.strip_tags(["script", "style"])
    root = tree.body or tree.root
    return root.text(separator=" ") if root is not None else ""


def _holds_text(node: Any) -> bool:
    """Whether a <noscript> holds the page's text (lexbor parses its content as markup)."""
    text = node.text(separator=" ")
    return len(text) >= NOSCRIPT_WORDS * 4 and len(text.split()) >= NOSCRIPT_WORDS


# --- images in every form a browser shows -------------------------------------------

#: lazy-loading themes keep the real image here and a placeholder (or nothing) in ``src``
_LAZY = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url",
         "data-hi-res-src", "data-full-src")  # fmt: skip
_LAZY_SETS = ("srcset", "data-srcset", "data-lazy-srcset")
#: a ``src`` that only stands in until a script swaps in the real image
_PLACEHOLDER = re.compile(
    r"(?:placeholder|blank|spacer|transparent|lazy|loading|pixel|1x1|grey|gray)[^/]*$", re.I
)
#: the attribute that :func:`reader_view` leaves on an image it made from another form
FORM_ATTR = "data-newswire-form"


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` ("a.jpg 300w, b.jpg 2x"), ``data:`` ones left out."""
    urls = []
    for part in value.split(","):
        words = part.split()
        if words and not words[0].startswith("data:"):
            urls.append(words[0])
    return urls


def image_of(node: Any, position: int, path: tuple[int, ...]) -> Image | None:
    """The image an ``<img>`` shows a reader (None: it names no image at all).

    ``src`` unless it is empty, a ``data:`` URI or a placeholder while a lazy-loading
    attribute or a ``srcset`` names the real image; ``urls`` holds every URL it names,
    with the ``<source>`` candidates of an enclosing ``<picture>``. The form is how it
    is shown ("img", "lazy data-src", "img srcset", "picture source", or the form of an
    element :func:`reader_view` turned into this ``<img>``).
    """
    attrs = node.attributes
    src = (attrs.get("src") or "").strip()
    if src.startswith("data:"):
        src = ""
    lazy = [
        (k, v.strip()) for k in _LAZY if (v := attrs.get(k)) and not v.strip().startswith("data:")
    ]
    sets = [u for k in _LAZY_SETS for u in _srcset_urls(attrs.get(k) or "")]
    parent = node.parent
    sources: list[str] = []
    if parent is not None and parent.tag == "picture":
        sources = [u for s in parent.css("source") for u in _srcset_urls(
            s.attributes.get("srcset") or s.attributes.get("data-srcset") or "")]  # fmt: skip
    stands_in = not src or _PLACEHOLDER.search(src.split("?", 1)[0]) is not None
    form = attrs.get(FORM_ATTR) or "img"
    if src and not (stands_in and (lazy or sets or sources)):
        shown = src
    elif lazy:
        shown, form = lazy[0][1], attrs.get(FORM_ATTR) or f"lazy {lazy[0][0]}"
    elif sets:
        shown, form = sets[-1], attrs.get(FORM_ATTR) or "img srcset"  # the widest, last
    elif sources:
        shown, form = sources[-1], "picture source"
    else:
        shown = src
    if not shown and form != "svg":
        return None
    urls = tuple(dict.fromkeys(u for u in (src, *(v for _, v in lazy), *sets, *sources) if u))
    return Image(shown, attrs.get("alt") or "", position, path, node.html or "", form=form,
                 urls=urls, title=(attrs.get("title") or "").strip())  # fmt: skip


# --- what a reader sees ----------------------------------------------------------------

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


def reader_view(tree: LexborHTMLParser, styles: Sequence[str] = ()) -> None:
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
    view = shown(tree, root, styles)
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


def _caption_figure(
    images: list[Image], blocks: list[Block], first_image: int, first_block: int
) -> None:
    """A <figure> closed: its images get the text of its <figcaption> blocks."""
    caption = " ".join(b.text for b in blocks[first_block:] if b.tag == "figcaption")
    for i in range(first_image, len(images)):
        images[i] = replace(images[i], caption=caption)


def _reads_as_byline(block: Block) -> bool:
    """Whether a block reads as a byline or a credit line, whoever it names."""
    text = block.text
    if len(text) > 200 or block.tag in ("h1", "h2", "title"):
        return False
    if _BYLINE_LINE.match(text):
        return True
    return bool(block.hint) and len(text) <= 120 and BYLINE_HINT.search(block.hint) is not None


def extract(tree: LexborHTMLParser, styles: Sequence[str] = ()) -> Extracted:
    """Walk the parsed page once and return its blocks, images and links in reading order,
    as a reader sees them (:func:`reader_view` changes ``tree`` first, with the page's
    linked ``styles`` where the caller fetched them)."""
    reader_view(tree, styles)
    root = tree.body or tree.root
    if root is None:
        return Extracted("", (), (), ())
    blocks, images, links = _walk(root) if WALK is None else _walk_compiled(root, WALK)
    _caption_from_next_block(images, blocks)
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node is not None else ""
    canonical = ""
    for link in tree.css("link[rel]"):
        if "canonical" in (link.attributes.get("rel") or "").lower().split():
            canonical = (link.attributes.get("href") or "").strip()
            break
    robots = ", ".join(
        (m.attributes.get("content") or "").strip()
        for m in tree.css("meta[name]")
        if (m.attributes.get("name") or "").strip().lower() in ("robots", "googlebot")
    )
    bylines = tuple(b.index for b in blocks if _reads_as_byline(b))
    return Extracted(title, tuple(blocks), tuple(images), tuple(links), canonical, bylines,
                     robots, *_published(tree))  # fmt: skip


#: where a page states when it was published, most trusted first (OpenGraph's article
#: time, then schema.org's microdata; a ``<time>`` element is the last resort)
_PUBLISHED_META = (
    ("property", "article:published_time"),
    ("name", "article:published_time"),
    ("itemprop", "datePublished"),
    ("name", "pubdate"),
    ("name", "date"),
    ("name", "dc.date.issued"),
)


def _published(tree: LexborHTMLParser) -> tuple[str, str]:
    """The page's own publication time as its meta tags or microdata state it, and the
    first ``<time datetime>`` (ISO 8601; "" where there is none that reads as a date).
    JSON-LD's ``datePublished``, trusted between the two, is read with the page's data
    (:mod:`.embedded`), where the scripts are still whole."""
    metas: dict[tuple[str, str], str] = {}
    for m in tree.css("meta[content]"):
        for attr in ("property", "name", "itemprop"):
            key = (m.attributes.get(attr) or "").strip().lower()
            if key:
                metas.setdefault((attr, key), m.attributes.get("content") or "")
    for attr, key in _PUBLISHED_META:
        value = iso_time(metas.get((attr, key.lower()), ""))
        if value:
            return value, ""
    for node in tree.css("[itemprop=datePublished][datetime]"):
        value = iso_time(node.attributes.get("datetime") or "")
        if value:
            return value, ""
    for node in tree.css("time[datetime]"):
        value = iso_time(node.attributes.get("datetime") or "")
        if value:
            return "", value
    return "", ""


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_time(value: str) -> str:
    """``value`` as an ISO 8601 date or time if it reads as one ("2024-05-03T10:00:00Z"
    gives "2024-05-03T10:00:00+00:00"), else "". Pages write these many ways; what
    :meth:`datetime.fromisoformat` (Python 3.11: most of ISO 8601) cannot read is kept
    only as its date, and a string with no date in it is not a publication time."""
    value = value.strip()[:64]
    if not value:
        return ""
    try:
        if len(value) <= 10:  # a date alone stays a date (not midnight of a time zone)
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    day = _ISO_DAY.match(value)
    if day:
        try:
            return date.fromisoformat(day.group()).isoformat()
        except ValueError:
            return ""
    return ""


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
                links.append(Link(href, len(blocks), node))
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
    position) and get their element here."""
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
    links = [Link(h, p, nodes("a")[m]) for m, href, p in found if (h := href.strip())]
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
    from .fingerprint import COMPILED

    return {
        "walk": "compiled" if WALK is not None else f"MISSING: {WALK_MISSING}",
        "sift": "compiled" if COMPILED is not None else "MISSING: not built or "
        "NEWSWIRE_PURE_PYTHON set",
    }


def warn_if_slow(log: Any) -> bool:
    """Log once, as a warning, that the compiled walk is missing (a server or worker that
    runs 3x slower says so at start); returns whether it warned."""
    if WALK is not None:
        return False
    log.warning("the engine runs without its compiled walk (%s): pages are parsed about 3x "
                "slower; `newswire --version` says the same", WALK_MISSING)  # fmt: skip
    return True
