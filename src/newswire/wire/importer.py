"""``newswire import``: ninjs JSON lines, a single ninjs story, RSS and Atom.

One file is one transaction. A bad record (not JSON, not valid ninjs, no
body, a feed entry with no title) stops the import and nothing is kept,
unless ``skip_bad`` is set: then the good records are kept and each bad one
is listed with its line (or entry) number and reason.

Re-importing a story with the same ``uri`` updates it in place; when a
published story's text changes, the change is recorded as a correction.
"""

from __future__ import annotations

import calendar
import html
import json
import logging
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Exists, OuterRef

from . import stories
from .models import Story, StoryVersion, Terms
from .ninjs import BadRecord, MediaFields, StoryFields, fields_from_ninjs, parse_byline
from .sanitize import text_of
from .stories import Parts, check_fields, create_many, set_bylines, set_media

MAX_FILE_BYTES = 512 * 1024 * 1024
log = logging.getLogger(__name__)

BATCH = 100  # stories per transaction, one by one
BULK_BATCH = 1000  # stories new to the wire per transaction, in bulk
SQLITE_PAUSE = 0.15  # seconds between two batches on SQLite (see import_file)


@dataclass(frozen=True)
class Problem:
    where: str  # "line 12", "entry 3", "story urn:…"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class ImportReport:
    source: str
    format: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    corrected: int = 0
    bad: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged + self.corrected


class ImportFailed(Exception):
    """The file could not be imported at all, or a bad record stopped it (nothing was kept)."""

    def __init__(self, report: ImportReport, message: str) -> None:
        super().__init__(message)
        self.report = report


# --- reading records ---------------------------------------------------------------


#: byte order marks, longest first (UTF-32's starts like UTF-16's)
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"), (b"\xef\xbb\xbf", "utf-8"),
)  # fmt: skip
#: the first character ("<", "{", "[") of a text without a BOM, as each wide encoding writes it
_WIDE_STARTS = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (rb"^\x00\x00\x00[<{\[]", "utf-32-be"),
        (rb"^[<{\[]\x00\x00\x00", "utf-32-le"),
        (rb"^\x00[<{\[]", "utf-16-be"),
        (rb"^[<{\[]\x00", "utf-16-le"),
    )
)


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (and which), by the byte order mark or the first character as XML
    1.0's appendix F and RFC 8259 tell them; None for a text in a byte-wide encoding."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return None if name == "utf-8" else name
    for pattern, name in _WIDE_STARTS:
        if pattern.match(data):
            return name
    return None


def as_utf8(data: bytes) -> bytes:
    """``data`` in UTF-8 if it is UTF-16 or UTF-32 (the BOM dropped); else as it is."""
    wide = wide_encoding(data)
    if wide is None:
        return data
    try:
        return data.decode(wide).lstrip("\ufeff").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not valid {wide.upper()}: byte {exc.start + 1}") from None


_EBCDIC_XML = ("<?xml", "<rss", "<feed", "<rdf:rdf")


def ebcdic_xml(data: bytes) -> bool:
    """Whether ``data`` is XML written in EBCDIC (cp037, cp500, IBM1140 …): its first
    characters read as "<?xml" (or a feed's root) in EBCDIC, as XML 1.0's appendix F
    tells it (4C 6F A7 94). feedparser reads such a feed by its declaration."""
    if data[:1] in (b"<", b"{", b"[") or not data:
        return False
    head = data[:64].decode("cp037", "replace").lstrip(" \t\r\n\x85").lower()
    return head.startswith(_EBCDIC_XML)


def sniff(data: bytes) -> str:
    if ebcdic_xml(data):
        return "feed"
    wide = wide_encoding(data)
    text = data[:256].decode(wide, "ignore").encode() if wide else data[:64]
    head = text.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]  # a wide BOM decodes to the UTF-8 one
    if head in (b"{", b"["):
        return "ninjs"
    if head == b"<":
        return "feed"
    raise BadRecord(
        "neither JSON (ninjs) nor XML (RSS/Atom): the file starts with " + repr(data[:20])
    )


_TOO_DEEP = (
    "JSON nested too deeply to read (arrays or objects inside each other past Python's "
    "recursion limit); no ninjs story is like that"
)


class TooDeep:
    """An element of a JSON array or object that is nested too deeply to read
    (:func:`shallow_json`): named as a bad record, its neighbours read."""


def shallow_json(text: str) -> Any:
    """JSON too deep to read as a whole, read one level down (and, for an object's
    ``items``, two): each element that is itself too deep is a :class:`TooDeep`, the others
    are read as usual. So one item nested 100,000 deep spoils only itself.

    Written by hand: the json module reads by recursion, and this is the one place that
    needs a JSON text split into its elements without reading them (a 30-line scan that
    tracks strings and depth, with no recursion of its own). Raises ``ValueError`` for text
    that is not one JSON array or object."""
    start = len(text) - len(text.lstrip())
    if start >= len(text) or text[start] not in "[{":
        raise ValueError("not a JSON array or object")
    if text[start] == "[":
        return [loads_or_too_deep(piece) for piece in _children(text, start)]
    out: dict[str, Any] = {}
    for piece in _children(text, start):
        key, end = json.JSONDecoder().raw_decode(piece.lstrip())
        value = piece.lstrip()[end:].lstrip().removeprefix(":").strip()
        if not isinstance(key, str):
            raise ValueError("an object's key is not a string")
        read = loads_or_too_deep(value)
        if isinstance(read, TooDeep) and key == "items" and value.startswith("["):
            read = [loads_or_too_deep(item) for item in _children(value, 0)]
        out[key] = read
    return out


def loads_or_too_deep(piece: str) -> Any:
    """``json.loads(piece)``, or a :class:`TooDeep` for JSON nested too deep to read."""
    try:
        return json.loads(piece)
    except RecursionError:
        return TooDeep()


def _children(text: str, at: int) -> list[str]:
    """The texts of the direct elements of the array or object that opens at ``text[at]``."""
    depth, in_string, escaped, begin = 0, False, False, at + 1
    pieces = []
    for i in range(at + 1, len(text)):
        c = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
        elif c in "]}":
            if depth == 0:
                if text[begin:i].strip():
                    pieces.append(text[begin:i])
                return pieces
            depth -= 1
        elif c == "," and depth == 0:
            pieces.append(text[begin:i])
            begin = i + 1
    raise ValueError("the JSON text ends inside an array or object")


def ninjs_records(data: bytes) -> Iterator[tuple[str, Any]]:
    """Yield (where, ninjs object or BadRecord) for a JSON-lines file, one object, or an array.

    JSON lines are split on ``\\n`` and decoded one by one, so that a line that is not
    UTF-8 is named (line and byte) and the others still read.
    """
    data = as_utf8(data).removeprefix(b"\xef\xbb\xbf")
    stripped = data.lstrip(b" \t\r\n")
    if stripped.startswith((b"[", b"{")):
        # one story (pretty-printed or not) or an array; JSON lines fail at line 2 and fall through
        try:
            whole = json.loads(stripped.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            whole = None
        except RecursionError:  # too deep as a whole: an array is read item by item, and
            try:  # JSON lines are read (and named) line by line
                whole = shallow_json(stripped.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                whole = None
            if isinstance(whole, dict):  # (one object too deep in itself: named below)
                whole = None
        if isinstance(whole, list):
            for n, item in enumerate(whole, start=1):
                yield f"item {n}", BadRecord(_TOO_DEEP) if isinstance(item, TooDeep) else item
            return
        if isinstance(whole, dict):
            yield "line 1", whole
            return
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        where = f"line {lineno}"
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield (
                where,
                BadRecord(f"not UTF-8: byte {exc.start + 1} of the line is 0x{raw[exc.start]:02x}"),
            )
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, BadRecord(f"not valid JSON: {exc.msg} (column {exc.colno})")
        except RecursionError:
            yield where, BadRecord(_TOO_DEEP)
        else:
            yield where, record


def _entry_time(entry: Any, *keys: str) -> datetime | None:
    for key in keys:
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    return None


@dataclass
class ParsedFeed:
    """feedparser's reading of a feed, and how its text was decoded."""

    parsed: Any
    garbled: str = ""  # "": clean; else why its text cannot be trusted (never publish it)
    #: entries (by index) whose text holds bytes the feed's encoding cannot read, and why:
    #: each held back alone, the others read as declared
    bad_entries: dict[int, str] = field(default_factory=dict)


def parse_feed(data: bytes, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Read an RSS, Atom or RDF feed as a reader must: with the charset its HTTP answer
    declares (``Content-Type: …; charset=koi8-r``), which overrides the XML declaration for
    XML media types (RFC 7303); then, where neither declares one that fits (feedparser
    falls back to Windows-1252 and says so), with the encoding the bytes themselves show
    (charset-normalizer, the maintained successor of chardet). A text that still does not
    decode cleanly is marked ``garbled``: no story is published from it.
    """
    import charset_normalizer
    import feedparser
    from feedparser import CharacterEncodingOverride, CharacterEncodingUnknown

    response = {k.lower(): v for k, v in (headers or {}).items()}
    # feedparser's own sanitiser drops a <script> it can read but keeps the text of one it
    # cannot ("function executeMe() …" as words of the story): nh3 (clean_html) sanitises
    # every body from the markup instead, and drops what <script> and <style> hold.
    parsed = feedparser.parse(data, response_headers=response, sanitize_html=False)
    declared = _declared_charset(data, response)
    used = _codec(str(parsed.get("encoding") or ""))
    # feedparser read it otherwise than declared when it says so, or (a stray byte that
    # also broke the XML) when the encoding it used is not the declared one
    otherwise = isinstance(parsed.get("bozo_exception"),
                           CharacterEncodingOverride | CharacterEncodingUnknown) or (
        declared is not None and used is not None and used != declared
        and wide_encoding(data) is None and not ebcdic_xml(data)
    )  # fmt: skip
    if not otherwise:
        label = str(parsed.get("encoding") or "")
        return ParsedFeed(parsed, _contradicted(parsed, label) if used == declared else "")
    bad = _undecodable(data, declared) if declared else []
    if declared and 0 < len(bad) <= _FEW and len(bad) * 100 <= len(data):
        # the declared encoding fits all but a few bytes: it is the feed's; the entries
        # that hold those bytes are held back, each alone, and the rest read right
        text = data.decode(declared, "replace")
        again = feedparser.parse(text.encode("utf-8"), sanitize_html=False,
                                 response_headers={**response, "content-type":
                                                   "application/xml; charset=utf-8"})  # fmt: skip
        return ParsedFeed(again, bad_entries=_entries_with_bad_bytes(again, data, bad, declared))
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return ParsedFeed(parsed, "its bytes fit no character encoding (neither the "
                          "declared one nor any other): the text would be garbled")  # fmt: skip
    text = str(best)
    again = feedparser.parse(text.encode("utf-8"), sanitize_html=False,
                             response_headers={**response, "content-type":
                                               "application/xml; charset=utf-8"})  # fmt: skip
    if "\ufffd" in text:
        return ParsedFeed(again, f"read as {best.encoding}, some of its bytes fit "
                          "no character: the text would be garbled")  # fmt: skip
    return ParsedFeed(again)


#: at most this many bytes the declared encoding cannot read (and at most one in a hundred)
#: and the declaration still stands: a stray byte, not a wrong declaration
_FEW = 16
_XML_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _declared_charset(data: bytes, response: Mapping[str, str]) -> str | None:
    """The encoding a feed declares: its HTTP answer's charset (RFC 7303: it overrides the
    XML declaration), else its XML declaration, else XML's default, UTF-8; None when what it
    declares is no encoding Python knows."""
    from ..fetch import content_charset

    found = _XML_DECLARED.match(data[:200])
    return _codec(content_charset(response.get("content-type", ""))
                  or (found.group(1).decode() if found else "utf-8"))  # fmt: skip


def _undecodable(data: bytes, encoding: str, most: int = _FEW + 1) -> list[int]:
    """The offsets of the bytes ``encoding`` cannot read in ``data`` (the first ``most``)."""
    bad: list[int] = []
    at = 0
    while len(bad) < most:
        try:
            data[at:].decode(encoding)
            return bad
        except UnicodeDecodeError as exc:
            bad.append(at + exc.start)
            at += exc.end
        except LookupError:
            return []
    return bad


def _entries_with_bad_bytes(parsed: Any, data: bytes, bad: list[int],
                            encoding: str) -> dict[int, str]:  # fmt: skip
    """Each entry whose text holds one of the bytes ``encoding`` could not read, with the
    byte and where it is, in words."""
    out = {}
    for n, entry in enumerate(parsed.entries):
        texts = [str(entry.get(k) or "") for k in ("title", "summary", "author")]
        texts += [str(c.get("value") or "") for c in entry.get("content") or []]
        hit = next((t for t in texts if "\ufffd" in t), None)
        if hit is None:
            continue
        before = hit.split("\ufffd", 1)[0][-12:].encode("utf-8")
        where = next((o for o in bad if before and data[max(0, o - len(before)):o] == before),
                     bad[0])  # fmt: skip
        shown = hit.split("\ufffd", 1)[0][-30:] + "\ufffd"
        out[n] = (f"its text holds a byte that is not {encoding}: 0x{data[where]:02X} at byte "
                  f"{where + 1} of the feed (\u201c\u2026{shown}\u201d)")  # fmt: skip
    return out


def _codec(name: str) -> str | None:
    import codecs

    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def _contradicted(parsed: Any, encoding: str | None) -> str:
    """Why a feed's text cannot be trusted although it decoded as declared: it declares a
    one-byte encoding (ISO-8859-1, windows-1252 …) its letters plainly do not read as (KOI8-R
    bytes declared Latin-1 decode without an error, as "îÏ×ÏÓÔÉ"). "" when it reads as
    declared. Judged on the entries' text, not the markup around it (whose ASCII hides the
    rest)."""
    import codecs

    import charset_normalizer

    if not encoding:
        return ""
    info = codecs.lookup(encoding)
    if info.name.startswith(("utf", "ascii")) or not info.name:
        return ""
    sample = " ".join(str(e.get(k) or "") for e in parsed.entries[:200]
                      for k in ("title", "summary"))[:100_000]  # fmt: skip
    try:
        raw = sample.encode(info.name)
    except UnicodeEncodeError:
        return ""
    if not any(b >= 0x80 for b in raw):
        return ""
    if charset_normalizer.from_bytes(raw, cp_isolation=[info.name]).best() is not None:
        return ""
    return (f"it declares {encoding}, but its text does not read as {encoding} (its "
            "letters make no words in it): a wrong declaration")  # (no guess at the right one)


def _feed_language(parsed: Any) -> str:
    return str(parsed.feed.get("language") or "en") if hasattr(parsed, "feed") else "en"


def _feed_authors(parsed: Any) -> list[str]:
    """The feed's own authors: an Atom entry without one has the feed's (RFC 4287 4.2.1)."""
    feed = parsed.get("feed") or {}
    return [str(a["name"]).strip() for a in feed.get("authors") or [] if a.get("name")]


def feed_records(data: bytes) -> Iterator[tuple[str, Any]]:
    """Yield (where, StoryFields or BadRecord) for each entry of an RSS or Atom feed."""
    feed = parse_feed(data)
    parsed = feed.parsed
    if not parsed.entries:
        reason = parsed.get("bozo_exception") or "no entries"
        raise BadRecord(f"not a readable RSS/Atom feed: {reason}")
    for n, entry in enumerate(parsed.entries, start=1):
        if feed.garbled:
            yield f"entry {n}", BadRecord(f"the feed's text cannot be read: {feed.garbled}")
            continue
        if n - 1 in feed.bad_entries:
            yield f"entry {n}", BadRecord(f"not imported: {feed.bad_entries[n - 1]}")
            continue
        try:
            yield f"entry {n}", entry_fields(entry, _feed_language(parsed), _feed_authors(parsed))
        except BadRecord as exc:
            yield f"entry {n}", exc


def entry_fields(
    entry: Any, language: str = "en", feed_authors: list[str] | None = None
) -> StoryFields:
    """One feedparser entry as a story; raise :class:`BadRecord` naming what it lacks."""
    uri = entry.get("id") or entry.get("link", "")
    # An Atom entry needs no link (its id, often a URN, is what names it); feedparser then
    # copies the id into ``link``. Only a web address is the story's canonical URL.
    link = next((str(x.get("href") or "") for x in entry.get("links") or []
                 if x.get("rel", "alternate") == "alternate"
                 and str(x.get("href") or "").startswith(("http://", "https://"))), "")  # fmt: skip
    if not link and str(entry.get("link", "")).startswith(("http://", "https://")):
        link = str(entry["link"])
    content = entry.get("content") or []
    detail = content[0] if content else (entry.get("summary_detail") or {})
    body = str(detail.get("value", "") if content else entry.get("summary", ""))
    if not uri:
        raise BadRecord("the entry has no id or link")
    title = entry.get("title_detail") or {}
    # a title declared text (Atom type="text", text/plain, Atom 0.3's default, base64 text)
    # is words as they stand: "History of the <blink> tag" keeps its <blink>; an html
    # title's text is read from its markup, scripts dropped
    headline = (
        " ".join(str(entry.get("title") or "").split())
        if _declared_text(title)
        else text_of(str(entry.get("title") or ""))
    )
    if not headline:
        raise BadRecord(f"{uri}: the entry has no title")
    if not body.strip():
        raise BadRecord(f"{uri}: the entry has no content or summary")
    if _declared_text(detail) or "<" not in body:
        # text is escaped into paragraphs, never parsed: "Jane Doe <jane@example.com>" stays
        body = "".join(
            f"<p>{html.escape(p.strip(), quote=False)}</p>"
            for p in re.split(r"\n\s*\n", body) if p.strip()
        )
    names = [a.get("name", "").strip() for a in entry.get("authors") or [] if a.get("name")]
    if not names and entry.get("author"):
        names = [entry["author"].strip()]
    if not names:
        names = list(feed_authors or [])
    credits = entry.get("media_credit") or [{}]
    credit = credits[0].get("content", "")
    media = []
    for m in list(entry.get("media_content") or []) + list(entry.get("enclosures") or []):
        url = m.get("url") or m.get("href")
        kind = m.get("type") or m.get("medium") or "image"
        if url and "image" in kind:
            media.append(MediaFields(url=url, credit=credit))
    tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
    return StoryFields(
        uri=uri,
        headline=headline,
        body=body,
        # "A and B", "Von A, dpa": the people each author line names (never an agency)
        reporters=[pair for name in names for pair in parse_byline(name, language)],
        summary=entry.get("summary", "") if content else "",
        desk=tags[0] if tags else "",
        canonical_url=link,
        published_at=_entry_time(entry, "published_parsed", "updated_parsed"),
        media=media,
    )


def _declared_text(detail: Any) -> bool:
    """Whether feedparser read this title, summary or content as declared plain text."""
    return isinstance(detail, Mapping) and str(detail.get("type") or "") == "text/plain"


# --- storing ---------------------------------------------------------------------


def _status_and_canonical(fields: StoryFields, warnings: list[str]) -> tuple[str, str]:
    """The status a story is stored with (a draft, with a warning, if it has no reporter)
    and its canonical URL (none if it is our own page: a story exported from here)."""
    status, canonical = fields.status, fields.canonical_url
    if canonical.startswith(settings.SITE_URL + "/stories/"):
        canonical = ""  # our own page: keep following its slug
    if not fields.reporters and status in (Story.Status.PUBLISHED, Story.Status.SCHEDULED):
        warnings.append("no reporter: kept as a draft until an editor adds one")
        status = Story.Status.DRAFT
    return status, canonical


def upsert(
    fields: StoryFields, terms: Terms, source: str, story: Story | None = None
) -> tuple[str, Story, list[str]]:
    """Create or update one story; return (created|updated|unchanged|corrected, story, warnings).

    ``fields`` have passed :func:`check_fields` (NUL characters dropped, body cleaned).
    ``story``: the story with this uri, as :func:`_on_wire` read it for a batch (else it is
    looked up here).
    """
    warnings: list[str] = []
    body = fields.body
    if story is None:
        story = Story.objects.filter(uri=fields.uri).first()
    wanted_status, canonical = _status_and_canonical(fields, warnings)
    if story is None:
        made = stories.create(
            fields, terms, source=source, status=wanted_status, canonical=canonical
        )
        return "created", made, warnings
    outcome = "unchanged"
    text_changed = story.body != body or story.headline != fields.headline
    was_published = (
        story.has_versions if hasattr(story, "has_versions") else story.versions.exists()
    )
    # saved only when something changed: a save moves updated_at, and with it every cache
    # of the story and the warm wire's stamp (a re-import of an unchanged file changes none)
    dirty = False
    for attr, value in (
        ("summary", fields.summary or story.summary),
        ("desk", fields.desk[:100]),
        ("canonical_url", canonical[:500]),
        ("release_at", fields.release_at),
        ("language", fields.language[:20]),
        ("source", source[:500]),
        ("status", wanted_status),
    ):
        if getattr(story, attr) != value:
            setattr(story, attr, value)
            dirty = True
            if outcome == "unchanged" and attr != "source":
                outcome = "updated"
    if (
        fields.published_at
        and wanted_status == Story.Status.PUBLISHED
        and story.published_at is None
    ):
        story.published_at = fields.published_at
        dirty = True
    if text_changed:
        note = fields.note or f"Updated from {Path(source).name}"
        stories.change_text(
            story, headline=fields.headline, body=body, note=note, published=was_published
        )
        outcome = "corrected" if was_published else "updated"
    elif dirty:
        story.save()
    changed = set_bylines(story, [(n, t, "") for n, t in fields.reporters])
    changed = set_media(story, fields.media, terms) or changed
    if changed:
        getattr(story, "_prefetched_objects_cache", {}).clear()  # (read before they changed)
        if outcome == "unchanged":
            outcome = "updated"
    if story.status == Story.Status.PUBLISHED and not (was_published or story.versions.exists()):
        story.snapshot()
    return outcome, story, warnings


def import_file(
    path: str | Path,
    *,
    skip_bad: bool = False,
    validate: bool = True,
    batch_size: int = BATCH,
    only_new: bool = False,
) -> ImportReport:
    """Import one file; raise :class:`ImportFailed` if nothing could be kept.

    Every record is read and checked before anything is written, so a bad record
    (without ``skip_bad``) keeps the whole file out. A feed is a CMS's output, not an
    editor's file: its bad entries are named and skipped, and its good ones imported.
    The good ones are then written ``batch_size`` stories to a transaction: other
    writers (a beacon hit, an editor) wait for one batch at most, never for the whole
    file. An import that is stopped half-way can simply be run again (a story is found
    by its uri). With ``only_new``, a story whose uri is already on the wire is left as
    it is (``newswire demo`` run again must not undo an editor's work).
    """
    source = str(path)
    report = ImportReport(source=source)
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise ImportFailed(
                report, f"{source}: {size} bytes is over the {MAX_FILE_BYTES} byte limit"
            )
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportFailed(report, f"{source}: cannot read: {exc.strerror or exc}") from exc
    try:
        report.format = sniff(data)
        records = list(ninjs_records(data) if report.format == "ninjs" else feed_records(data))
    except BadRecord as exc:
        raise ImportFailed(report, f"{source}: {exc}") from exc
    checked: list[tuple[str, StoryFields]] = []
    for where, record in records:
        try:
            if isinstance(record, BadRecord):
                raise record
            fields = (
                record
                if isinstance(record, StoryFields)
                else fields_from_ninjs(record, validate=validate)
            )
            check_fields(fields)
        except BadRecord as exc:
            report.bad.append(Problem(where, str(exc)))
            continue
        checked.append((where, fields))
    if report.bad and not skip_bad and report.format != "feed":
        first = report.bad[0]
        raise ImportFailed(
            report,
            f"{source}: {first}. Nothing was imported ({len(report.bad)} bad record(s) of "
            f"{len(records)}); fix the file or use --skip-bad to import the rest.",
        )
    if only_new:  # load what is missing; a story already on the wire is left as it is
        there = set(
            Story.objects.filter(uri__in=[f.uri for _, f in checked]).values_list("uri", flat=True)
        )
        report.unchanged += sum(f.uri in there for _, f in checked)
        checked = [(w, f) for w, f in checked if f.uri not in there]
    terms = Terms.current()
    parts = Parts(terms)
    pause = connection.vendor == "sqlite"
    # SQLite queues no waiters: a writer waiting for the lock (a beacon flush, an editor)
    # sleeps and tries again, up to 100 ms apart. Back-to-back transactions would take the
    # lock again before it woke, for the whole import; a pause a little longer than its
    # longest sleep between two lets it in after one transaction at most. Stories new to
    # the wire go in bulk, BULK_BATCH to a transaction (each one statement per table, held
    # a fraction of a second); the others one by one, ``batch_size`` to a transaction.
    # (a pause only after a transaction that wrote: one that only read holds no lock after)
    wrote = False
    for start in range(0, len(checked), BULK_BATCH):
        new, rest = _new_in(checked[start : start + BULK_BATCH])
        if new:
            if pause and wrote:
                time.sleep(SQLITE_PAUSE)
            wrote = True
            try:
                with transaction.atomic():
                    made = create_many(new, terms, source, parts, decide=_status_and_canonical)
            except (DatabaseError, ValidationError) as exc:
                # (one bad row fails the statement: these go one by one, below)
                log.info("bulk insert of %d stories refused (%s): one by one", len(new), exc)
                rest = sorted(new + rest, key=lambda r: checked.index(r))
            else:
                report.created += len(made)
                for where, story, warnings in made:
                    report.warnings += [Problem(f"{where} ({story.uri})", w) for w in warnings]
        for part in range(0, len(rest), batch_size):
            if pause and wrote:
                time.sleep(SQLITE_PAUSE)
            wrote = False
            chunk = rest[part : part + batch_size]
            stories = _on_wire([fields.uri for _, fields in chunk])
            with transaction.atomic():
                for where, fields in chunk:
                    try:
                        with transaction.atomic():
                            outcome, story, warnings = upsert(
                                fields, terms, source, stories.get(fields.uri)
                            )
                    except (DatabaseError, ValidationError, BadRecord) as exc:
                        # not expected once the checks above passed; named, the rest goes on
                        report.bad.append(Problem(where, f"not stored: {exc}"))
                        continue
                    setattr(report, outcome, getattr(report, outcome) + 1)
                    report.warnings += [Problem(f"{where} ({story.uri})", w) for w in warnings]
                    wrote = wrote or outcome != "unchanged"  # (it wrote)
    return report


def _on_wire(uris: list[str]) -> dict[str, Story]:
    """The stories with these uris, each with its bylines, photos and whether it has a
    version, read at once for :func:`upsert` (a batch's five queries, not five a story)."""
    versions = StoryVersion.objects.filter(story=OuterRef("pk"))
    found = (
        Story.objects.filter(uri__in=uris)
        .annotate(has_versions=Exists(versions))
        .prefetch_related("bylines__reporter", "media")
    )
    return {story.uri: story for story in found}


def _new_in(batch: list[tuple[str, StoryFields]]) -> tuple[list[Any], list[Any]]:
    """(the records of stories not on the wire yet, the others): one query. A uri given
    twice in the batch goes the one-by-one way after its first (a later record replaces)."""
    there = set(
        Story.objects.filter(uri__in=[f.uri for _, f in batch]).values_list("uri", flat=True)
    )
    new, rest, seen = [], [], set()
    for where, fields in batch:
        if fields.uri in there or fields.uri in seen:
            rest.append((where, fields))
        else:
            seen.add(fields.uri)
            new.append((where, fields))
    return new, rest


def load_terms_file(path: Path, into: Terms) -> list[str]:
    """Set ``into`` from a terms.json file (unsaved); return the file's warnings.

    Raises ``TermsError`` for a file that cannot be used and ``ValidationError``
    for terms the model refuses; ``into`` is then not to be saved.
    """
    from ..engine.terms import load_terms

    parsed, problems = load_terms(path)
    raw = json.loads(path.read_text("utf-8"))
    into.wire = parsed.wire or into.wire
    into.affiliation = parsed.affiliation
    into.site = parsed.site
    into.logo_url = parsed.logo.url
    into.logo_alt = parsed.logo.alt
    into.restricted_credits = list(parsed.restricted_credits)
    into.required = list(parsed.required)
    into.allowed_edits = list(parsed.allowed_edits)
    into.contact = parsed.contact
    into.canonical = parsed.canonical
    if isinstance(raw.get("text"), str):
        into.text = raw["text"]
    into.full_clean()
    return [str(p) for p in problems]
