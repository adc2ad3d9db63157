"""Part of stage 2 (extract): text a page carries only as data, for JavaScript to draw.

Many news sites send the article body inside a script and draw it in the browser:
``<script type="application/ld+json">`` (``articleBody``, WordPress and most CMSes),
Next.js's ``<script id="__NEXT_DATA__">``, Nuxt's ``window.__NUXT__=…`` and Arc XP's
``Fusion.globalContent=…``. A reader of visible text never sees a copy there. This module
finds those scripts in the raw bytes (a substring search, at memory speed, for pages that
have none: nearly all of a crawl), reads the strings in them without running anything,
and returns the long ones as paragraphs, each with where it was found.

JSON-LD's ``author`` names are returned too: the checks count them as the page's byline
only when the page shows none.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from .fingerprint import COMPILED

#: where data text was found (a copy's ``found_in``)
JSON_LD, NEXT_DATA, NUXT, ARC = "json-ld", "next-data", "nuxt", "arc"

MARKERS = (b"application/ld+json", b"__NEXT_DATA__", b"__NUXT__", b"Fusion.globalContent")
_LD = re.compile(
    rb"<script[^>]*?type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script", re.I | re.S
)
_NEXT = re.compile(
    rb"<script[^>]*?id\s*=\s*[\"']?__NEXT_DATA__[\"']?[^>]*>(.*?)</script", re.I | re.S
)
_NUXT = re.compile(rb"__NUXT__\s*=(.*?)</script", re.S)
_ARC = re.compile(rb"Fusion\.globalContent\s*=\s*", re.S)
_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.){40,})"')
_TAGS = re.compile(r"<[^>]+>")
_BREAKS = re.compile(r"(?i)</p>|<br\s*/?>|</h\d>|</li>|\n\s*\n")
#: a string this long with this many spaces reads as prose, not an id, a URL or a class list
MIN_CHARS = 40
MIN_SPACES = 5
MAX_SCRIPT = 4 * 1024 * 1024  # bytes of one script read at most


@dataclass(frozen=True, slots=True)
class Embedded:
    """The prose a page carries as data."""

    paragraphs: tuple[tuple[str, str], ...]  # (where found, paragraph), in page order
    authors: tuple[str, ...] = ()  # JSON-LD author names
    published: str = ""  # JSON-LD datePublished, as the page gives it

    def __bool__(self) -> bool:
        return bool(self.paragraphs)

    def text(self) -> str:
        return " ".join(p for _, p in self.paragraphs)


def has_data(body: bytes) -> bool:
    """Whether the page may carry text as data (cheap: a few substring searches)."""
    return any(m in body for m in MARKERS)


def _prose(value: str) -> list[str]:
    """A string's paragraphs of prose (markup taken out), or none."""
    if len(value) < MIN_CHARS or value.count(" ") < MIN_SPACES or value.startswith("http"):
        return []
    if "<" in value:
        parts = [_TAGS.sub(" ", p) for p in _BREAKS.split(value)]
    else:
        parts = value.split("\n\n") if "\n\n" in value else [value]
    out = []
    for part in parts:
        text = " ".join(html.unescape(part).split())
        if len(text) >= MIN_CHARS // 2:
            out.append(text)
    return out


def _strings(data: Any, out: list[str], keys: tuple[str, ...] = ()) -> None:
    """Every prose string in a JSON value, depth first (in document order); with ``keys``
    only the values of those keys."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in reversed(list(item.items())):
                if keys and key in keys and isinstance(value, str):
                    out.extend(_prose(value))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, str) and not keys:
            out.extend(_prose(item))


def _ld_published(data: Any) -> str:
    """The first ``datePublished`` of a JSON-LD object or graph ("" if none)."""
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and value.strip():
                return value.strip()[:64]
            stack.extend(v for k, v in item.items() if k == "@graph")
    return ""


def _ld_authors(data: Any, out: list[str]) -> None:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            author = item.get("author")
            for a in author if isinstance(author, list) else [author]:
                if isinstance(a, dict) and isinstance(a.get("name"), str):
                    out.append(a["name"].strip())
                elif isinstance(a, str):
                    out.append(a.strip())
            stack.extend(v for k, v in item.items() if k == "@graph")


def _load(raw: bytes) -> Any:
    try:
        return json.loads(raw[:MAX_SCRIPT].decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None


def _matches_at(pattern: re.Pattern[bytes], body: bytes, places: list[int]) -> Iterator[Any]:
    """``pattern.finditer(body)``, tried only at ``places`` (where it can match: see
    :func:`embedded`), each match's end passed before the next is tried."""
    after = 0
    for at in places:
        if at >= after and (m := pattern.match(body, at)) is not None:
            after = m.end()
            yield m


class Marks(NamedTuple):
    """What one compiled pass over a page found (``_sift.data_marks``): which of
    :data:`MARKERS` it holds (bits 1, 2, 4, 8), the places of the ``<script`` tags that name
    JSON-LD and Next.js's data, and of its ``<style`` tags (for :func:`.styles.style_blocks`)."""

    markers: int
    ld: list[int]
    next: list[int]
    styles: list[int]


def page_marks(body: bytes) -> Marks | None:
    """:class:`Marks` of a page, or None where the engine's C part is not built."""
    return Marks(*COMPILED.data_marks(body)) if COMPILED is not None else None


def embedded(body: bytes, marks: Marks | None = None) -> Embedded:
    """The prose of the page's data scripts (empty for a page without any).

    Where the engine's C part is built, one pass over the page (``_sift.data_marks``) says
    which markers it holds and where the ``<script`` tags that name JSON-LD or Next.js's
    data are: the expressions are tried there only, where each went through the whole
    page (they match nowhere else: each asks its tag, up to its ``>``, for that name); the
    tests hold the two ways to giving the same. ``marks``: the page's, already found."""
    marks = marks or page_marks(body)
    if marks is None:
        if not has_data(body):
            return Embedded(())
        lds: Iterable[Any] = _LD.finditer(body)
        next_data = _NEXT.search(body)
        has_nuxt, has_arc = b"__NUXT__" in body, b"Fusion.globalContent" in body
    else:
        markers, ld_at, next_at, _ = marks
        if not markers:
            return Embedded(())
        lds = _matches_at(_LD, body, ld_at)
        next_data = next(_matches_at(_NEXT, body, next_at), None)
        has_nuxt, has_arc = bool(markers & 4), bool(markers & 8)
    found: list[tuple[str, str]] = []
    authors: list[str] = []
    published = ""
    for m in lds:
        data = _load(m.group(1))
        published = published or _ld_published(data)
        texts: list[str] = []
        _strings(data, texts, keys=("articleBody",))
        found += [(JSON_LD, t) for t in texts]
        _ld_authors(data, authors)
    if next_data:
        texts = []
        _strings(_load(next_data.group(1)), texts)
        found += [(NEXT_DATA, t) for t in texts]
    # (these two expressions are case-sensitive: a substring test spares a page without
    # the name a scan of the whole body)
    nuxt = _NUXT.search(body) if has_nuxt else None
    if nuxt:  # JavaScript, not JSON: its string literals are read one by one
        script = nuxt.group(1)[:MAX_SCRIPT].decode("utf-8", "replace")
        for lit in _JS_STRING.finditer(script):
            try:
                value = json.loads('"' + lit.group(1).replace("\\x", "\\u00") + '"')
            except ValueError:
                continue
            found += [(NUXT, t) for t in _prose(value)]
    arc = _ARC.search(body) if has_arc else None
    if arc:
        try:
            data, _ = json.JSONDecoder().raw_decode(
                body[arc.end() : arc.end() + MAX_SCRIPT].decode("utf-8", "replace")
            )
        except (ValueError, RecursionError):
            data = None
        texts = []
        _strings(data, texts)
        found += [(ARC, t) for t in texts]
    seen: set[str] = set()
    unique = []
    for where, text in found:  # the same paragraph in two places counts once
        if text not in seen:
            seen.add(text)
            unique.append((where, text))
    return Embedded(tuple(unique), tuple(dict.fromkeys(a for a in authors if a)), published)
