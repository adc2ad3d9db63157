"""Stories as IPTC ninjs 2.2 objects, both ways.

:func:`to_ninjs` is what the export, the feeds and the API (partner program)
hand out; :func:`fields_from_ninjs` turns an incoming ninjs object into the
plain values :mod:`.importer` stores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.html import escape

from ..engine.errors import StoryError
from ..engine.ninjs import (
    creators,
    from_22,
    is_plain_text,
    main_body,
    normalized,
    not_a_story,
)
from .models import Story, Terms
from .partner_copy import partner_body

NINJS_STANDARD = {
    "name": "ninjs",
    "version": "2.2",
    "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json",
}
PUBSTATUS = {
    Story.Status.PUBLISHED: "usable",
    Story.Status.SCHEDULED: "usable",
    Story.Status.DRAFT: "withheld",
    Story.Status.WITHDRAWN: "canceled",
}


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None


#: the versions of ninjs newswire writes (2.2 unless asked)
VERSIONS = ("2.2", "3.1")


def in_version(item: dict[str, Any], version: str) -> dict[str, Any]:
    """A ninjs 2.2 object as ``version`` ("2.2": itself; "3.1": :func:`engine.ninjs.from_22`)."""
    if version not in VERSIONS:
        raise ValueError(f"ninjs {version} is not written; one of {', '.join(VERSIONS)}")
    return item if version == "2.2" else from_22(item)


def to_ninjs(
    story: Story, terms: Terms | None = None, *, partner: bool = False, version: str = "2.2"
) -> dict[str, Any]:
    """The story as a ninjs object, 2.2 or (``version="3.1"``) 3.1.

    ``partner=True`` gives what a partner receives: restricted media left out.
    """
    if version != "2.2":
        return in_version(to_ninjs(story, terms, partner=partner), version)
    terms = terms or Terms.current()
    bylines = story.ordered_bylines()
    reporters = [b.reporter for b in bylines]
    item: dict[str, Any] = {
        "standard": dict(NINJS_STANDARD),
        "uri": story.uri,
        "type": "text",
        "version": str(story.version),
        "firstcreated": iso(story.published_at or story.created_at),
        "versioncreated": iso(story.updated_at or story.created_at),
        "pubstatus": PUBSTATUS[Story.Status(story.status)],
        "language": story.language or "en",
        "headlines": [{"role": "main", "value": story.headline}],
        "by": story.byline(bylines),
        "people": [{"name": r.name, "rel": "author"} for r in reporters],
        "infosources": [
            {
                "name": terms.wire,
                "role": "originator",
                **({"uri": terms.site} if terms.site else {}),
            }
        ],
        "bodies": [{"role": "main", "contenttype": "text/html",
                    "value": partner_body(story.body, story, terms) if partner else story.body}],
        "renditions": [{"name": "web", "href": story.public_url(), "contenttype": "text/html"}],
        "copyrightholder": terms.wire,
    }
    if story.embargoed:
        item["embargoed"] = iso(story.release_at)
    if story.summary:
        item["descriptions"] = [{"role": "summary", "value": story.summary}]
    if story.desk:
        item["subjects"] = [{"name": story.desk, "rel": "desk"}]
    if terms.shown_text:
        item["usageterms"] = terms.shown_text
    associations = []
    for n, m in enumerate(story.media.all(), start=1):
        if partner and m.restricted(terms):
            continue
        src = m.absolute_src()
        assoc: dict[str, Any] = {
            "name": "featureimage" if n == 1 else f"image{n}",
            "uri": src,
            "type": "picture",
            "renditions": [{"name": "original", "href": src}],
        }
        if m.credit:
            assoc["by"] = m.credit
        if m.caption:
            assoc["descriptions"] = [{"role": "caption", "value": m.caption}]
        if m.copyright_holder:
            assoc["copyrightholder"] = m.copyright_holder
        if m.licence is not None and m.licence.usage_terms:
            assoc["usageterms"] = m.licence.usage_terms
        associations.append(assoc)
    if associations:
        item["associations"] = associations
    return {k: v for k, v in item.items() if v not in (None, "", [])}


def version_ninjs(
    story: Story, version: Any, terms: Terms | None = None, *, partner: bool = False
) -> dict[str, Any]:
    """One version of a story (a :class:`StoryVersion`) as ninjs 2.2: its headline and text,
    its number, its time and, for a correction, its note in ``ednote``. Every version but
    the latest is ``usable``; the latest carries the story's own status (an import of the
    versions in order makes the story, then each correction, then its status)."""
    item = to_ninjs(story, terms, partner=partner)
    item["headlines"] = [{"role": "main", "value": version.headline}]
    body = partner_body(version.body, story, terms or Terms.current()) if partner else version.body
    item["bodies"] = [{"role": "main", "contenttype": "text/html", "value": body}]
    item["version"] = str(version.number)
    item["versioncreated"] = iso(version.created_at)
    if version.number > 1 and version.note:
        item["ednote"] = version.note
    if version.number < story.version:
        item["pubstatus"] = "usable"
        item.pop("embargoed", None)
    item.pop("descriptions", None)  # (the summary is the latest text's)
    return item


@dataclass
class MediaFields:
    url: str
    caption: str = ""
    credit: str = ""
    copyright_holder: str = ""
    usage_terms: str = ""


@dataclass
class StoryFields:
    """What an import knows about one story, whatever the source format."""

    uri: str
    headline: str
    body: str
    reporters: list[tuple[str, str]] = field(default_factory=list)  # (name, title)
    summary: str = ""
    desk: str = ""
    canonical_url: str = ""
    status: str = Story.Status.PUBLISHED
    release_at: datetime | None = None
    published_at: datetime | None = None
    language: str = "en"
    media: list[MediaFields] = field(default_factory=list)
    note: str = ""  # the source's own note on this version (ninjs ednote)


class BadRecord(ValueError):
    """One record of an import file cannot become a story."""


def _parse_time(value: Any, name: str) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        # in UTC now: 9999-12-31T23:59:59-23:59 is valid ISO 8601 but past datetime's range
        return (dt if timezone.is_aware(dt) else dt.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise BadRecord(f"'{name}' is not a usable ISO 8601 date-time: {value!r} ({exc})") from exc


def _objects(item: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The objects of a ninjs list field, whatever an unvalidated record holds there."""
    value = item.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


_STATUS = {
    "usable": Story.Status.PUBLISHED,
    "withheld": Story.Status.DRAFT,
    "canceled": Story.Status.WITHDRAWN,
}


#: "By" in the languages a wire's partners write in, at the start of a byline
_BY = re.compile(r"^\s*(?:by|from|von|par|por|door|di|da|af|av|przez|od|de)\s*:?\s+(?=\S)", re.I)
#: the words that join two people's names, per language (English's always count too)
_JOINERS = {
    "de": ("und",), "fr": ("et",), "es": ("y", "e"), "pt": ("e",), "it": ("e", "ed"),
    "nl": ("en",), "sv": ("och",), "da": ("og",), "no": ("og",), "nb": ("og",), "pl": ("i",),
}  # fmt: skip
#: words of a job title ("Education Reporter"): a comma segment with one is no person
_TITLE_WORDS = re.compile(
    r"\b(?:reporter\w*|correspondent|writer|editor|staff|contributor|photographer|columnist|"
    r"chief|bureau|producer|analyst|intern|fellow|journalist|redakteur\w*|korrespondent\w*|"
    r"journaliste|correspondant\w*|periodista|corresponsal|desk)\b",
    re.I,
)
#: news agencies that bylines end with (", dpa"): an affiliation, never a person
_AGENCIES = frozenset(
    {
        "dpa", "ap", "afp", "reuters", "ansa", "efe", "kna", "epd", "apa", "sda",
        "keystone-sda", "pa", "upi", "bloomberg", "xinhua", "tass", "kyodo", "anp", "belga",
        "ctk", "tt", "ntb", "ritzau", "stt", "aa", "yonhap", "cna", "pti", "ians",
    }
)  # fmt: skip


#: words that name an organisation, not a person ("The Associated Press", "Staff")
_ORGANISATION_WORDS = re.compile(
    r"\b(?:press|news|service|agency|agentur|agence|agencia|wire|staff|redaktion|"
    r"r[ée]daction|redacci[óo]n|media)\b",
    re.I,
)


def _is_organisation(segment: str) -> bool:
    s = segment.strip().rstrip(".")
    return (
        s.lower() in _AGENCIES
        or (s.isupper() and 1 < len(s) <= 6 and " " not in s)
        or _ORGANISATION_WORDS.search(s) is not None
    )


def parse_byline(by: str, language: str = "en") -> list[tuple[str, str]]:
    """The people a byline names, each with the title it gives them.

    ``"Paulo Santalucia and Frances d'Emilio"`` → two people; ``"Von Christian
    Hollmann, dpa"`` → Christian Hollmann, with the agency as what follows his name (an
    organisation is never a person); ``"Grace Nakamura, Education Reporter"`` → one
    person and her title. The joining words are the story's language's ("und", "et",
    "y" …) and English's; commas separate people unless what follows reads as a title or
    an organisation.
    """
    text = _BY.sub("", (by or "").strip()).strip()
    if not text:
        return []
    joiners = ("and", "&", *_JOINERS.get((language or "en").split("-")[0].lower(), ()))
    joined = "|".join(re.escape(j) for j in joiners)
    parts = [p.strip() for p in re.split(rf"\s+(?:{joined})\s+|;", text) if p.strip()]
    people: list[list[str]] = []  # [name, title…]
    for part in parts:
        for k, segment in enumerate(s.strip() for s in part.split(",")):
            if not segment:
                continue
            titled = bool(people) and len(people[-1]) > 1  # a title given: the rest is its
            if (
                people
                and k
                and (
                    titled
                    or _TITLE_WORDS.search(segment)
                    or _is_organisation(segment)
                    or not _reads_as_name(segment)
                )
            ):
                people[-1].append(segment)
            elif not _is_organisation(segment) and not _TITLE_WORDS.search(segment):
                people.append([segment])
    return [(p[0], ", ".join(p[1:])) for p in people]


def _reads_as_name(segment: str) -> bool:
    """Two to five words, the first capitalised: "Frances d'Emilio", "Ana de la Cruz"."""
    words = segment.split()
    return 1 < len(words) <= 5 and words[0][:1].isupper()


def split_byline(by: str, names: list[str], language: str = "en") -> list[tuple[str, str]]:
    """Pair each reporter's name with the title the byline gives them.

    ``"Grace Nakamura, Education Reporter"`` → ``[("Grace Nakamura", "Education Reporter")]``.
    Without names (no ``people``), the byline's own people (:func:`parse_byline`).
    """
    if not names:
        return parse_byline(by, language)
    by = _BY.sub("", by or "").strip()
    segments = [s.strip() for s in re.split(r";|\band\b(?=\s+[A-Z])", by) if s.strip()] or [by]
    out = []
    for name in names:
        title = ""
        for seg in segments:
            if seg.startswith(name):
                title = seg[len(name) :].lstrip(" ,|–—-").strip()
                break
        out.append((name, title))
    return out


def fields_from_ninjs(item: Any, *, validate: bool = True) -> StoryFields:
    """Read one ninjs object (1.x, 2.x or 3.x: validated against IPTC's schema for the version
    it names, then read as 2.2); raise :class:`BadRecord` naming what is wrong."""
    if not isinstance(item, dict):
        raise BadRecord(f"a ninjs story must be a JSON object, not {type(item).__name__}")
    uri = item.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        raise BadRecord("no 'uri'")
    try:
        _version, item = normalized(item, validate=validate)
        not_a_story(item)
    except StoryError as exc:
        raise BadRecord(exc.message) from None
    body = main_body(item)
    if body is None:
        raise BadRecord(f"{uri}: no body ('bodies')")
    body_html = str(body["value"])
    if is_plain_text(body) or "<" not in body_html:
        # declared text (or text with no markup at all) is words: escaped into paragraphs,
        # never parsed as markup
        body_html = "".join(
            f"<p>{escape(p.strip())}</p>" for p in re.split(r"\n\s*\n", body_html) if p.strip()
        )
    headline = next(
        (
            str(h["value"])
            for h in _objects(item, "headlines")
            if isinstance(h, dict) and h.get("value")
        ),
        "",
    )
    if not headline:
        raise BadRecord(f"{uri}: no headline ('headlines')")
    names = creators(item)  # (a person the story quotes or is about is not its reporter)
    pubstatus = item.get("pubstatus")
    pubstatus = "usable" if pubstatus is None else pubstatus
    status = _STATUS.get(pubstatus) if isinstance(pubstatus, str) else None
    if status is None:
        raise BadRecord(
            f"{uri}: 'pubstatus' is {pubstatus!r}; it is one of usable, withheld, canceled"
        )
    release_at = _parse_time(item.get("embargoed"), "embargoed")
    if status == Story.Status.PUBLISHED and release_at and release_at > timezone.now():
        status = Story.Status.SCHEDULED
    summary = next(
        (
            str(d["value"])
            for d in _objects(item, "descriptions")
            if isinstance(d, dict) and d.get("role") in (None, "summary") and d.get("value")
        ),
        "",
    )
    desk = next(
        (
            str(s["name"])
            for s in _objects(item, "subjects") + _objects(item, "genres")
            if isinstance(s, dict) and s.get("name")
        ),
        "",
    )
    canonical = next(
        (
            str(r["href"])
            for r in _objects(item, "renditions")
            if isinstance(r, dict) and r.get("href") and r.get("name") in ("web", "canonical")
        ),
        "",
    )
    media = []
    for assoc in _objects(item, "associations"):
        if not isinstance(assoc, dict) or assoc.get("type", "picture") not in (
            "picture",
            "graphic",
        ):
            continue
        rends = [r for r in _objects(assoc, "renditions") if isinstance(r, dict) and r.get("href")]
        url = str(assoc.get("uri") or "")
        if not url.lower().startswith(("http://", "https://")):
            # a ninjs uri may be a name (urn:…); its rendition says where the image is. Any
            # other scheme (javascript:, data:) is kept, for the import's URL check to refuse.
            url = str(rends[0]["href"]) if rends else ("" if url.startswith("urn:") else url)
        if not url:
            continue
        caption = next(
            (
                str(d["value"])
                for d in _objects(assoc, "descriptions")
                if isinstance(d, dict) and d.get("role") in (None, "caption") and d.get("value")
            ),
            "",
        )
        credit = str(assoc.get("by") or "")
        credit = re.sub(r"^\(?photo by\s+", "", credit, flags=re.I).rstrip(")")
        media.append(
            MediaFields(
                url=url,
                caption=caption,
                credit=credit,
                copyright_holder=str(assoc.get("copyrightholder") or ""),
                usage_terms=str(assoc.get("usageterms") or ""),
            )
        )
    return StoryFields(
        uri=uri.strip(),
        headline=headline.strip(),
        body=body_html,
        reporters=split_byline(str(item.get("by") or ""), names, str(item.get("language") or "en")),
        summary=summary,
        desk=desk,
        canonical_url=canonical,
        status=status,
        release_at=release_at,
        published_at=_parse_time(
            item.get("firstcreated") or item.get("versioncreated"), "firstcreated"
        ),
        language=str(item.get("language") or "en"),
        media=media,
        note=str(item.get("ednote") or ""),
    )
