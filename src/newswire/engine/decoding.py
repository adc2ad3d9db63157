"""Stage 2a — decoding: a page's bytes to text and to a parsed tree.

:func:`parse` decodes the bytes (declared charset, ``<meta>`` charset, UTF-8, then
windows-1252), refuses pages that would cost too much (:func:`screen`: binary data, no
markup, markup nested thousands deep, which makes lexbor quadratic), and parses once with
selectolax's lexbor backend; :func:`quick_text` takes the visible text for fingerprinting.
"""

from __future__ import annotations

import re

import numpy as np
from selectolax.lexbor import LexborHTMLParser

from .errors import PageError
from .types import Page

#: Nesting deeper than this is refused before parsing (lexbor is quadratic in depth).
MAX_DEPTH = 2000
#: An unclosed script, style or comment longer than this (bytes) puts the sift in doubt, and
#: so does sifted text under 1/THIN_SHARE of the bytes outside them, on a page with more
#: than THIN_PAGE such bytes.
UNCLOSED = 2048
THIN_SHARE = 40
THIN_PAGE = 20_000


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
