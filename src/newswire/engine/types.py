"""The engine's typed values: what each stage takes and returns.

All are frozen, slotted dataclasses so that they are cheap, hashable where it
matters, and safe to pass to worker processes and Spark executors.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, TypedDict

import numpy as np
import numpy.typing as npt

CHECK_NAMES: tuple[str, ...] = (
    "logo",
    "byline",
    "affiliation",
    "link",
    "restricted_media",
    "unedited",
    # optional: run only when the terms ask for it (Terms.canonical); see check.check_canonical
    "canonical",
)
#: what the ``canonical`` check may accept, as the terms name it: the copy's
#: ``<link rel="canonical">`` pointing at the story, the copy kept out of search engines
#: (``noindex`` in a robots meta tag or an ``X-Robots-Tag`` header), or either
CANONICAL_MODES: tuple[str, ...] = ("link", "noindex", "either")


# --- read ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    """One fetched page: its bytes and where they came from."""

    url: str
    body: bytes
    content_type: str = "text/html"
    charset: str | None = None  # declared in the HTTP header, if any
    fetched_at: datetime | None = None
    source: str = ""  # file the page was read from
    where: str = ""  # record offset in that file ("offset 1234")
    robots: str = ""  # the X-Robots-Tag header, where the headers are at hand
    # the text of the same site's stylesheets the page links, where the caller fetched them
    styles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skip:
    """A record or line the engine did not process, and why."""

    source: str
    where: str
    reason: str
    message: str

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.source, self.where) if part)
        return f"{place}: {self.message}" if place else self.message


# --- stories and terms -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryImage:
    """A photo that belongs to a story, with its credit."""

    url: str
    credit: str = ""
    caption: str = ""
    restricted: bool = False  # the wire may not pass it on


@dataclass(frozen=True, slots=True)
class Story:
    """A wire story as the engine needs it (read from ninjs)."""

    uri: str
    headline: str
    paragraphs: tuple[str, ...]  # body text, one entry per paragraph
    reporters: tuple[str, ...] = ()  # names
    byline: str = ""  # the byline as it must appear ("NAME, TITLE")
    canonical_url: str = ""
    images: tuple[StoryImage, ...] = ()


@dataclass(frozen=True, slots=True)
class Logo:
    url: str = ""
    alt: str = ""


@dataclass(frozen=True, slots=True)
class Terms:
    """The wire's syndication terms, as data."""

    wire: str
    affiliation: str = ""
    site: str = ""
    logo: Logo = field(default_factory=Logo)
    restricted_credits: tuple[str, ...] = ()
    required: tuple[str, ...] = ("logo", "byline", "affiliation", "restricted_media")
    allowed_edits: tuple[str, ...] = ("trim_end", "headline")
    contact: str = ""
    canonical: str = ""  # "" (the check is not run) or one of CANONICAL_MODES
    # checks that cannot be evaluated because the terms lack what they need
    unavailable: tuple[str, ...] = ()


# --- extract -----------------------------------------------------------------


class Block(NamedTuple):
    """A run of visible text that the page shows as one paragraph, heading or cell.

    ``path`` holds the ids of the elements enclosing the block, outermost
    first, so that two blocks' nearest common container can be found.

    A named tuple, not a frozen dataclass like the other results: a page that may hold a
    story makes 200 of them, and a frozen dataclass's constructor (a ``setattr`` call
    per field) was a tenth of extracting the page.
    """

    index: int  # type: ignore[assignment]  # (the field shadows tuple.index, unused here)
    text: str
    tag: str
    path: tuple[int, ...]
    # depth (index into ``path``) of the innermost enclosing navigation, related-story
    # or comment box, -1 if none: chrome *inside* a story's region is not the story's
    chrome: int = -1
    hint: str = ""  # class/id words of the nearest classed ancestor ("byline", "author" …)
    # where the page carries it: "" shown, "noscript" (shown without JavaScript), or data
    # drawn by JavaScript ("json-ld", "next-data", "nuxt", "arc"; see engine/embedded.py)
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str
    position: int  # index of the first block after the image
    path: tuple[int, ...]
    html: str
    caption: str = ""  # caption and credit text shown with it ("Photo: Getty Images")
    # how the page shows it ("img", "img srcset", "lazy data-src", "picture source",
    # "noscript fallback", "amp-img", "background-image", "svg"), and every URL it names
    # (src, srcset and lazy candidates): a logo or photo matches on any of them
    form: str = "img"
    urls: tuple[str, ...] = ()
    title: str = ""  # its title attribute (a tooltip, where some sites put the credit)


class Link(NamedTuple):
    """A link: its href, the index of the first block after it, and its HTML.

    A page has 100-200 links and a check quotes at most one, so the HTML is read from the
    element (``element``) only when asked for: serialising every link cost a tenth of
    extracting a page. ``markup`` is the HTML of a link made without an element. A named
    tuple, as :class:`Block` is, for the cost of making hundreds a page.
    """

    href: str
    position: int
    element: Any = None
    markup: str = ""

    @property
    def html(self) -> str:
        if self.element is not None:
            return str(self.element.html or "")[:500]
        return self.markup


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the careful extractor found on a page."""

    title: str
    blocks: tuple[Block, ...]
    images: tuple[Image, ...]
    links: tuple[Link, ...]
    canonical: str = ""
    bylines: tuple[int, ...] = ()  # blocks that read as a byline or credit line (by index)
    robots: str = ""  # the content of the page's robots meta tags ("noindex, follow")
    # the page's own publication time (ISO 8601) as its meta tags or microdata state it,
    # and its first <time datetime> (the last resort: it may date something else)
    published: str = ""
    time: str = ""


# --- fingerprint and index ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signature:
    """Sampled shingle hashes of a text (sorted, unique)."""

    hashes: npt.NDArray[np.uint64]

    def __len__(self) -> int:
        return int(self.hashes.shape[0])


@dataclass(frozen=True, slots=True)
class Candidate:
    """A story the index says a page may contain."""

    story: str  # uri
    hits: int  # sampled shingles shared
    share: float  # hits / the story's sampled shingles


# --- align and check ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of story tokens found in order on the page."""

    story_start: int
    page_start: int
    length: int


@dataclass(frozen=True, slots=True)
class Alignment:
    """How a page reproduces one story."""

    story: str
    coverage: float  # share of the story's words reproduced in order
    runs: tuple[Run, ...]
    blocks: tuple[int, ...]  # page blocks holding the story's text
    dropped_start: int = 0  # story words missing before the first run
    dropped_end: int = 0  # story words missing after the last run
    trimmed_end_only: bool = False  # dropped_end falls on paragraph boundaries
    changed: int = 0  # story words missing inside the copy
    inserted: int = 0  # page words inside the copy that the story lacks
    headline_changed: bool = False
    paragraphs_kept: int = 0
    paragraphs_total: int = 0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    passed: bool | None  # None: the terms lack what this check needs
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One (page, story) result: the scan's output record."""

    url: str
    story: str
    kind: str  # "pickup" | "excerpt"
    coverage: float
    checks: tuple[Check, ...]
    compliant: bool
    canonical: bool  # the page's rel=canonical points to the story (unscored)
    alignment: Alignment
    source: str = ""
    where: str = ""
    # what the page shows of the story: its heading and the text of the blocks from the
    # copy's first to its last (what was inserted between them included), for a diff
    headline: str = ""
    text: tuple[str, ...] = ()
    # where the copy's text is: "visible", or "noscript", "json-ld", "next-data", "nuxt", "arc"
    found_in: str = "visible"
    # the checks run that the terms do not require: reported, never held against the copy
    advisory: tuple[str, ...] = ()
    # when the page says it was published (ISO 8601, as stated: article:published_time,
    # JSON-LD datePublished, itemprop datePublished or <time datetime>), "" if it does not
    published: str = ""

    @property
    def failed(self) -> list[str]:
        """The required checks the copy failed: why it is not compliant."""
        return [c.name for c in self.checks if c.passed is False and c.name not in self.advisory]

    @property
    def advisory_failed(self) -> list[str]:
        """The advisory checks the copy failed (the terms do not require them)."""
        return [c.name for c in self.checks if c.passed is False and c.name in self.advisory]

    @property
    def edits(self) -> Edits:
        """How the copy differs from the story, as the record gives it."""
        a = self.alignment
        return {
            "dropped_start": a.dropped_start,
            "dropped_end": a.dropped_end,
            "trimmed_end_only": a.trimmed_end_only,
            "changed": a.changed,
            "inserted": a.inserted,
            "headline_changed": a.headline_changed,
            "paragraphs_kept": a.paragraphs_kept,
            "paragraphs_total": a.paragraphs_total,
        }

    def to_json(self) -> MatchRecord:
        """Return the scan's JSON-lines record (the contract other tools read)."""
        record: MatchRecord = {
            "url": self.url,
            "story": self.story,
            "kind": self.kind,
            "coverage": round(self.coverage, 4),
            "checks": {c.name: c.passed for c in self.checks},
            "compliant": self.compliant,
            # required checks failed (why it is not compliant), and the checks the terms do
            # not require (their results are in "checks"; they never decide compliance)
            "failed": self.failed,
            "advisory": list(self.advisory),
            "canonical": self.canonical,
            "evidence": {c.name: c.evidence for c in self.checks},
            "edits": self.edits,
            "source": self.source,
            "where": self.where,
            "copy": {"headline": self.headline, "text": list(self.text)},
        }
        # only where the copy is not in the visible text (a field added for those pages)
        if self.found_in != "visible":
            record["found_in"] = self.found_in
        if self.published:
            record["published"] = self.published
        return record

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, where: str = "") -> Match:
        """The match a scan record describes (a line of ``newswire scan``, a row of Spark's
        output): each field present is checked against :class:`MatchRecord`'s types, and
        only :data:`RECORD_NEEDS` must be present (older scans wrote fewer fields; the rest
        take their empty values). What the record does not carry (the alignment's runs and
        blocks) is empty. Raises :class:`~newswire.engine.errors.ResultError` naming the
        field, with ``where`` (a file and line) as its place."""
        from .errors import ResultError

        if not isinstance(data, Mapping):
            raise ResultError("not a JSON object", where=where)
        missing = [name for name in RECORD_NEEDS if name not in data]
        if missing:
            raise ResultError(f"not a scan result: no {', '.join(missing)}", where=where)
        for name, hint in record_fields(MatchRecord).items():
            if name in data:
                problem = _mismatch(data[name], hint, name)
                if problem:
                    raise ResultError(problem, where=where)
        if not 0.0 <= data["coverage"] <= 1.0:  # (NaN too: JSON may carry it)
            raise ResultError(f"coverage: {data['coverage']!r} is not between 0 and 1", where=where)
        evidence = data.get("evidence") or {}
        checks = tuple(Check(n, p, evidence.get(n) or "") for n, p in data["checks"].items())
        given = data.get("edits") or {}
        edits = {name: given.get(name, empty) for name, empty in _NO_EDITS.items()}
        shown = data.get("copy") or {}
        story, coverage = data["story"], float(data["coverage"])
        return cls(
            url=data["url"], story=story, kind=data["kind"], coverage=coverage, checks=checks,
            compliant=data["compliant"], canonical=data.get("canonical", False),
            alignment=Alignment(story, coverage, (), (), **edits),
            source=data.get("source", ""), where=data.get("where", ""),
            headline=shown.get("headline", ""), text=tuple(shown.get("text", ())),
            found_in=data.get("found_in", "visible"), advisory=tuple(data.get("advisory", ())),
            published=data.get("published", ""),
        )  # fmt: skip


class Edits(TypedDict):
    """How the copy differs from the story (the record's ``edits``)."""

    dropped_start: int
    dropped_end: int
    trimmed_end_only: bool
    changed: int
    inserted: int
    headline_changed: bool
    paragraphs_kept: int
    paragraphs_total: int


class Shown(TypedDict):
    """What the page shows of the story (the record's ``copy``), for a diff."""

    headline: str
    text: list[str]


class _Record(TypedDict):
    url: str
    story: str
    kind: str
    coverage: float
    checks: dict[str, bool | None]
    compliant: bool
    failed: list[str]
    advisory: list[str]
    canonical: bool
    evidence: dict[str, str]
    edits: Edits
    source: str
    where: str
    copy: Shown


class MatchRecord(_Record, total=False):
    """The scan's JSON-lines record, the one description of its fields and their types:
    :meth:`Match.to_json` writes it (the type checker holds it to this), :meth:`Match.
    from_json` reads by it, and the Spark job makes its Parquet schema from it."""

    found_in: str  # absent: the visible text
    published: str  # absent: the page states no date


#: what a record must carry to be read (the rest take their empty values)
RECORD_NEEDS = ("url", "story", "kind", "coverage", "checks", "compliant")


def record_fields(record: type) -> dict[str, Any]:
    """A TypedDict's fields and their types, in order (for readers and schemas)."""
    return typing.get_type_hints(record)


#: a record without ``edits``: each field's empty value (0, False)
_NO_EDITS: dict[str, Any] = {name: hint() for name, hint in record_fields(Edits).items()}


def _mismatch(value: Any, hint: Any, path: str) -> str:
    """ "" if ``value`` is of type ``hint`` (as JSON gives it: an int is a float, a bool is
    neither), else what is wrong, naming the field by its path."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if any(not _mismatch(value, a, path) for a in args):
            return ""
        return f"{path}: expected {' or '.join(_name(a) for a in args)}, got {_got(value)}"
    if typing.is_typeddict(hint):
        if not isinstance(value, dict):
            return f"{path}: expected an object, got {_got(value)}"
        for name, sub in record_fields(hint).items():
            if name in value and (problem := _mismatch(value[name], sub, f"{path}.{name}")):
                return problem
        return ""
    if origin is list:
        if not isinstance(value, list):
            return f"{path}: expected a list, got {_got(value)}"
        for i, item in enumerate(value):
            if problem := _mismatch(item, args[0], f"{path}[{i}]"):
                return problem
        return ""
    if origin is dict:
        if not isinstance(value, dict):
            return f"{path}: expected an object, got {_got(value)}"
        for key, item in value.items():
            if problem := _mismatch(item, args[1], f"{path}.{key}"):
                return problem
        return ""
    ok = {
        str: isinstance(value, str),
        bool: isinstance(value, bool),
        int: isinstance(value, int) and not isinstance(value, bool),
        float: isinstance(value, (int, float)) and not isinstance(value, bool),
        type(None): value is None,
    }.get(hint, False)
    return "" if ok else f"{path}: expected {_name(hint)}, got {_got(value)}"


def _name(hint: Any) -> str:
    names = {str: "a string", bool: "true or false", int: "a whole number", float: "a number",
             type(None): "null"}  # fmt: skip
    return names.get(hint, "an object" if typing.is_typeddict(hint) else str(hint))


def _got(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return "null" if value is None else _name(type(value))
