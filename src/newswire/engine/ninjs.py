"""IPTC ninjs ↔ :class:`~newswire.engine.types.Story`: ninjs 1.x, 2.x and 3.x read, 2.2 and
3.1 written.

Every version is read the same way: the object is validated against IPTC's schema for the
version it names (:func:`read_version`), then put in ninjs 2.2's shape (:func:`as_22`), which
the readers here and in the wire take. :func:`from_22` gives a 2.2 object in 3.1's shape for
those who ask for 3.1. The schemas ship with the package (``schemas/``, © IPTC, MIT; see
its README) so that validation needs no network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from .errors import StoryError
from .extract import extract
from .types import Skip, Story, StoryImage, Terms


@cache
def schema() -> dict[str, Any]:
    """Return the ninjs 2.2 JSON schema."""
    text = resources.files(__package__).joinpath("schemas/ninjs-schema_2.2.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


#: ninjs 2.2 refers ``places[].geojson`` to the GeoJSON schema on the web. A
#: scan fetches nothing, so that reference resolves here, to a schema that checks
#: the GeoJSON object's type (its coordinates are not checked).
GEOJSON_URI = "https://geojson.org/schema/GeoJSON.json"
GEOJSON_TYPES = (
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection", "Feature", "FeatureCollection",
)  # fmt: skip
_GEOJSON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"enum": list(GEOJSON_TYPES)}},
}


def _retrieve(uri: str) -> dict[str, Any]:
    """Resolve the schema's remote references locally; refuse any other (never fetch)."""
    if uri.split("#", 1)[0] == GEOJSON_URI:
        return _GEOJSON
    raise ValueError(f"remote schema {uri} is not fetched")


@cache
def _validator() -> Any:
    # jsonschema-rs: the same Draft 2020-12 rules as the jsonschema package at a
    # hundredth of the cost (60 dev-corpus stories: 0.2 ms against 21 ms; the
    # validator builds in 4 ms against 29), which counts for a wire of 100,000s
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(schema(), retriever=_retrieve)


def validation_errors(item: object, version: str = "2.2") -> list[str]:
    """Return the ninjs schema violations of ``item`` ("path: message"), at most five, against
    IPTC's schema for ``version`` ("1.6", "2.2", "3.0" or "3.1")."""
    validator = _validator() if version == "2.2" else _versioned_validator(version)
    try:
        errors = sorted(
            validator.iter_errors(item), key=lambda e: list(map(str, e.instance_path))
        )
    except ValueError as exc:  # not JSON data at all (a Python object built in code)
        return [f"(top): not JSON data: {exc}"]
    return [f"{'/'.join(map(str, e.instance_path)) or '(top)'}: {e.message}" for e in errors[:5]]


# --- the versions of ninjs -------------------------------------------------------------
# Format keywords ("format": "uri", "date-time") are annotations here, not assertions, as
# JSON Schema 2020-12 has them by default, for every version alike: IPTC's own 1.6 example
# has "uri": "renditions-example". What newswire uses of such a value it checks itself
# (dates are parsed, URLs checked where they come in).

#: the schema each version is read against
SCHEMAS = {"1.6": "ninjs-schema_1.6.json", "2.2": "ninjs-schema_2.2.json",
           "3.0": "ninjs-schema_3.0.json", "3.1": "ninjs-schema_3.1.json"}  # fmt: skip
SCHEMA_URIS = {v: f"http://www.iptc.org/std/ninjs/{name}#" for v, name in SCHEMAS.items()}
_SCHEMA_VERSION = re.compile(r"ninjs-schema_(\d+(?:\.\d+)*)\.json")
#: fields only ninjs 3 spells so (it moved to camelCase)
_NINJS3_FIELDS = frozenset({
    "versionCreated", "pubStatus", "firstCreated", "contentCreated", "altIds", "rightsInfo",
    "embargoedUntil", "edNote", "copyrightHolder", "copyrightNotice", "usageTerms",
    "infoSources", "trustIndicators", "digitalSourceType", "eventDetails", "plannedCoverage",
})  # fmt: skip
#: fields only ninjs 1 has (2.0 made them arrays and renamed them)
_NINJS1_FIELDS = frozenset({"$standard", "headline", "byline", "person", "place",
                            "organisation", "subject", "genre", "infosource", "object",
                            "event", "trustindicator", "mimetype"})  # fmt: skip


class VersionError(StoryError):
    """An object of a ninjs version newswire does not read (one sentence, no schema dump)."""


def declared_version(item: dict[str, Any]) -> str | None:
    """The ninjs version an object names: its ``standard.version`` (``$standard`` in 1.x),
    else the version in its schema's address (``standard.schema``, ``$schema``); None when
    it names none."""
    for key in ("standard", "$standard"):
        standard = item.get(key)
        if isinstance(standard, dict):
            version = standard.get("version")
            usable = isinstance(version, str | int | float) and not isinstance(version, bool)
            if usable and str(version).strip():
                return str(version).strip()
    for key in ("standard", "$standard"):
        standard = item.get(key)
        where = standard.get("schema") if isinstance(standard, dict) else None
        found = _SCHEMA_VERSION.search(str(where or ""))
        if found:
            return found.group(1)
    found = _SCHEMA_VERSION.search(str(item.get("$schema") or ""))
    return found.group(1) if found else None


def read_version(item: dict[str, Any]) -> str:
    """The schema version ``item`` is read against ("1.6", "2.2", "3.0" or "3.1"), from the
    version it names or, naming none, from its field names; :class:`VersionError` for a
    version newswire does not read (in one sentence)."""
    named = declared_version(item)
    if named is None:
        if _NINJS3_FIELDS & item.keys() or _camel_inside(item):
            return "3.1"
        if (_NINJS1_FIELDS & item.keys()) or any(
            k.startswith(("body_", "headline_", "description_")) for k in item
        ) or isinstance(item.get("associations"), dict) or isinstance(item.get("renditions"), dict):
            return "1.6"
        return "2.2"
    major, _, minor = named.partition(".")
    if major == "1":
        return "1.6"
    if major == "2":
        return "2.2"
    if major == "3":
        return "3.0" if minor in ("0", "0.0", "0.1") else "3.1"
    uri = item.get("uri")
    raise VersionError(
        f"{uri if isinstance(uri, str) else 'the object'}: ninjs {named} is not a version "
        "newswire reads (it reads ninjs 1.x, 2.x and 3.x)",
        reason="unsupported_version",
    )


def _camel_inside(item: dict[str, Any]) -> bool:
    """Whether the objects in ``item``'s lists (bodies, renditions, associations) spell
    their fields as ninjs 3 does (``contentType``, ``sizeInBytes``)."""
    for value in item.values():
        for part in value if isinstance(value, list) else ():
            if isinstance(part, dict) and (_CAMEL.keys() & part.keys()):
                return True
    return False


@cache
def _versioned_validator(version: str) -> Any:
    import jsonschema_rs

    text = resources.files(__package__).joinpath(f"schemas/{SCHEMAS[version]}").read_text()
    schema_doc = json.loads(text)
    geojson = json.loads(
        resources.files(__package__).joinpath("schemas/GeoJSON-schema.json").read_text()
    )

    def retrieve(uri: str) -> dict[str, Any]:
        if uri.split("#", 1)[0] == GEOJSON_URI:
            return geojson  # type: ignore[no-any-return]
        raise ValueError(f"remote schema {uri} is not fetched")

    kind = jsonschema_rs.Draft7Validator if version == "1.6" else (
        jsonschema_rs.Draft202012Validator
    )
    return kind(schema_doc, retriever=retrieve, validate_formats=False)


def normalized(item: Any, *, validate: bool = True) -> tuple[str, dict[str, Any]]:
    """(the version ``item`` is read as, ``item`` in ninjs 2.2's shape); :class:`StoryError`
    naming the version and the first field at fault when it is not valid for the version
    it names, :class:`VersionError` for a version newswire does not read."""
    if not isinstance(item, dict):
        raise StoryError(f"a ninjs story must be a JSON object, not {type(item).__name__}")
    version = read_version(item)
    if validate:
        problems = validation_errors(item, version)
        if problems:
            uri = item.get("uri")
            raise StoryError(
                f"{uri if isinstance(uri, str) and uri.strip() else 'the object'}: not valid "
                f"ninjs {version}: {problems[0]}",
                reason="invalid_ninjs",
            )
    return version, (item if version == "2.2" else as_22(item, version))


#: ninjs 3's camelCase names of the fields ninjs 2.2 spells in lower case
_CAMEL = {
    "versionCreated": "versioncreated", "firstCreated": "firstcreated",
    "contentCreated": "contentcreated", "pubStatus": "pubstatus", "edNote": "ednote",
    "copyrightHolder": "copyrightholder", "copyrightNotice": "copyrightnotice",
    "usageTerms": "usageterms", "altIds": "altids", "infoSources": "infosources",
    "trustIndicators": "trustindicators", "rightsInfo": "rightsinfo",
    "embargoedUntil": "embargoed", "contentType": "contenttype", "charCount": "charcount",
    "wordCount": "wordcount", "langId": "langid", "linkedRights": "linkedrights",
    "encodedRights": "encodedrights", "sizeInBytes": "sizeinbytes", "widthPx": "width",
    "heightPx": "height", "digitalSourceType": "digitalsourcetype",
}  # fmt: skip
_LOWER = {v: k for k, v in _CAMEL.items() if k not in ("widthPx", "heightPx")}


def _rename(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {names.get(k, k): _rename(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, names) for v in value]
    return value


#: a 1.x body's suffix -> its content type (``body_html``); others are told by their text
_BODY_TYPES = {"html": "text/html", "xhtml": "application/xhtml+xml", "richtext": "text/html",
               "text": "text/plain", "plain": "text/plain"}  # fmt: skip
#: ninjs 1.x's singular names of 2.x's lists
_SINGULAR = {"byline": "by", "person": "people", "place": "places", "organisation":
             "organisations", "subject": "subjects", "genre": "genres", "infosource":
             "infosources", "object": "objects", "event": "events", "trustindicator":
             "trustindicators", "$standard": "standard"}  # fmt: skip


def as_22(item: dict[str, Any], version: str) -> dict[str, Any]:
    """``item`` (ninjs ``version``) in ninjs 2.2's shape: what the readers take. 3.x's
    camelCase names in 2.2's lower case (``embargoedUntil`` is 2.2's ``embargoed``); 1.x's
    flat fields (``headline``, ``headline_main``, ``body_html``, ``byline``, ``person``,
    renditions and associations keyed by name) as 2.2's lists."""
    if version.startswith("3"):
        return _rename(item, _CAMEL)  # type: ignore[no-any-return]
    if not version.startswith("1"):
        return item
    out: dict[str, Any] = {}
    headlines: list[dict[str, Any]] = []
    bodies: list[dict[str, Any]] = []
    descriptions: list[dict[str, Any]] = []
    for key, value in item.items():
        if key == "headline" and isinstance(value, str):
            headlines.insert(0, {"role": "main", "value": value})
        elif key.startswith("headline_") and isinstance(value, str):
            headlines.append({"role": key.removeprefix("headline_"), "value": value})
        elif key.startswith("body_") and isinstance(value, str):
            role = key.removeprefix("body_")
            kind = _BODY_TYPES.get(role.split("_")[0]) or (
                "text/html" if "<" in value else "text/plain"
            )
            bodies.append({"role": "main" if role in ("html", "text", "xhtml") else role,
                           "contenttype": kind, "value": value})  # fmt: skip
        elif key.startswith("description_") and isinstance(value, str):
            role = key.removeprefix("description_")
            descriptions.append({"role": "summary" if role in ("text", "usage") else role,
                                 "value": value})  # fmt: skip
        elif key == "associations" and isinstance(value, dict):
            out["associations"] = [
                {"name": name, **as_22(a, version)} for name, a in value.items()
                if isinstance(a, dict)
            ]
        elif key == "renditions" and isinstance(value, dict):
            out["renditions"] = [
                {"name": name, **_rename(r, {"mimetype": "contenttype"})}
                for name, r in value.items() if isinstance(r, dict)
            ]  # fmt: skip
        else:
            out[_SINGULAR.get(key, key)] = value
    if headlines:
        out["headlines"] = headlines
    if bodies:
        out["bodies"] = bodies
    if descriptions:
        out["descriptions"] = descriptions
    return out


def from_22(item: dict[str, Any]) -> dict[str, Any]:
    """A ninjs 2.2 object as ninjs 3.1: the same fields in 3's camelCase (``embargoed`` as
    ``embargoedUntil``), ``standard`` naming 3.1, and each association a ninjs object of its
    own with the ``name`` and ``uri`` 3.1 requires."""
    out: dict[str, Any] = _rename(item, _LOWER)
    standard = out.get("standard")
    out["standard"] = {"name": "ninjs", "version": "3.1", "schema": SCHEMA_URIS["3.1"]}
    if isinstance(standard, dict) and standard.get("schema") and "iptc.org" not in str(
        standard["schema"]
    ):  # a profile of ninjs (newswire's own): named where 3.1 keeps a profile's name
        out.setdefault("profile", str(standard["schema"]))
    return out


def paragraphs_of(html: str) -> tuple[str, ...]:
    """Return the text of each paragraph (block) of an HTML body."""
    if "<" not in html:
        return tuple(p.strip() for p in html.split("\n\n") if p.strip())
    tree = LexborHTMLParser(html)
    return tuple(b.text for b in extract(tree).blocks if b.chrome < 0)


def is_restricted(credit_text: str, terms: Terms | None) -> bool:
    """Return whether a photo credit names a source that the terms restrict."""
    if terms is None:
        return False
    low = credit_text.casefold()
    return any(c.casefold() in low for c in terms.restricted_credits if c)


def _items(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """Return the objects of a list field, whatever else an unvalidated item holds there."""
    value = obj.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


#: the relations (``rel``, or ``role``) of ``people`` that make a person the story's creator;
#: anyone else there (a person quoted, a spokesman, "about") is no reporter of it
CREATOR_ROLES = frozenset({"author", "creator", "writer", "reporter", "byline", "by",
                           "correspondent", "contributor"})  # fmt: skip


def creators(item: dict[str, Any]) -> list[str]:
    """The names of the people a (2.2-shaped) ninjs object gives as its creators."""
    return [
        str(p["name"]).strip()
        for p in _items(item, "people")
        if p.get("name") and str(p.get("rel") or p.get("role") or "").strip().lower()
        in CREATOR_ROLES
    ]


#: the types of object the wire holds as a story (a picture goes with its story)
STORY_TYPES = (None, "text", "composite")


def not_a_story(item: dict[str, Any]) -> None:
    """Refuse, in one sentence, an object that is not a story: a picture, video or audio on
    its own, an event, a planning item (the wire holds text stories with their pictures)."""
    kind = item.get("type")
    if kind in STORY_TYPES:
        return
    uri = item.get("uri")
    what = {
        "picture": "a picture", "graphic": "a graphic", "video": "a video",
        "audio": "an audio item", "event": "an event", "planning": "a planning item",
        "component": "a component of another item",
    }.get(str(kind), f"a {kind!r} item")  # fmt: skip
    raise StoryError(
        f"{uri}: {what} on its own, not a story (ninjs type {kind!r}): newswire's wire holds "
        "text stories, with their pictures as associations",
        reason="not_a_story",
    )


_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml")


def is_plain_text(body: dict[str, Any]) -> bool:
    """Whether a body is declared plain text (its text is words, never markup to parse)."""
    kind = str(body.get("contenttype") or "").split(";")[0].strip().lower()
    return kind.startswith("text/") and kind not in _HTML_TYPES


def main_body(item: dict[str, Any]) -> dict[str, Any] | None:
    """The body a story is read from: of those with a value, one with markup before plain
    text (a 3.x item often has a text/plain ``main`` and an XHTML ``richtext``: the same
    text, the richer with its paragraphs), and the ``main`` role among equals."""
    bodies = [b for b in _items(item, "bodies") if b.get("value")]
    if not bodies:
        return None

    def rank(b: dict[str, Any]) -> tuple[int, int]:
        return (1 if is_plain_text(b) else 0, 0 if b.get("role") in (None, "main") else 1)

    return min(bodies, key=rank)


def story_from_ninjs(
    item: dict[str, Any], terms: Terms | None = None, *, validate: bool = True
) -> Story:
    """Build a :class:`Story` from a ninjs object; raise :class:`StoryError` if it cannot be one."""
    if not isinstance(item, dict):
        raise StoryError(f"a ninjs story must be a JSON object, not {type(item).__name__}")
    uri = item.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        raise StoryError("the story has no 'uri'", reason="missing_field")
    _version, item = normalized(item, validate=validate)
    not_a_story(item)
    body = main_body(item)
    if body is None:
        raise StoryError(f"{uri}: the story has no body ('bodies')", reason="missing_field")
    value = str(body["value"])
    paragraphs = (
        tuple(p.strip() for p in value.split("\n\n") if p.strip())
        if is_plain_text(body) else paragraphs_of(value)
    )
    if not paragraphs:
        raise StoryError(f"{uri}: the story's body has no text", reason="missing_field")
    headlines = _items(item, "headlines")
    headline = next(
        (str(h.get("value", "")) for h in headlines if h.get("value")),
        "",
    )
    reporters = tuple(creators(item))
    byline = str(item.get("by") or "")
    if not reporters and byline:
        first = byline.removeprefix("By ").split(",")[0].strip()
        reporters = (first,) if first else ()
    canonical = next(
        (
            str(r["href"])
            for r in _items(item, "renditions")
            if r.get("href") and r.get("name") in ("web", "canonical")
        ),
        "",
    )
    images: list[StoryImage] = []
    for assoc in _items(item, "associations"):
        if assoc.get("type") not in (None, "picture", "graphic"):
            continue
        url = str(assoc.get("uri") or "")
        rends = _items(assoc, "renditions")
        if rends and rends[0].get("href"):
            url = url if url.startswith("http") else str(rends[0]["href"])
        if not url:
            continue
        caption = next(
            (
                str(d.get("value", ""))
                for d in _items(assoc, "descriptions")
                if d.get("role") == "caption"
            ),
            "",
        )
        credit = " ".join(
            str(assoc.get(k) or "") for k in ("by", "copyrightholder", "usageterms")
            if isinstance(assoc.get(k), str)
        ).strip()
        images.append(
            StoryImage(
                url, credit, caption, restricted=is_restricted(credit + " " + caption, terms)
            )
        )
    return Story(
        uri=uri.strip(),
        headline=headline,
        paragraphs=paragraphs,
        reporters=reporters,
        byline=byline,
        canonical_url=canonical,
        images=tuple(images),
    )


def read_stories(
    path: str | Path, terms: Terms | None = None, *, validate: bool = True
) -> Iterator[Story | Skip]:
    """Yield the stories of a ninjs JSON-lines file, and a :class:`Skip` for each bad line."""
    source = str(path)
    try:
        fh = open(path, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed below
    except OSError as exc:
        yield Skip(source, "", "unreadable", f"cannot read: {exc.strerror or exc}")
        return
    with fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            where = f"line {lineno}"
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Skip(
                    source, where, "bad_json", f"not valid JSON: {exc.msg} (column {exc.colno})"
                )
                continue
            except RecursionError:
                yield Skip(source, where, "bad_json", "JSON nested too deeply to read")
                continue
            try:
                yield story_from_ninjs(item, terms, validate=validate)
            except StoryError as exc:
                yield Skip(source, where, exc.reason, exc.message)
