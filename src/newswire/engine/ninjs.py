"""IPTC ninjs 2.2 ↔ :class:`~newswire.engine.types.Story`.

The schema ships with the package (``schemas/ninjs-schema_2.2.json``,
© IPTC, CC BY 4.0) so that validation needs no network.
"""

from __future__ import annotations

import json
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


def validation_errors(item: object) -> list[str]:
    """Return the ninjs schema violations of ``item`` ("path: message"), at most five."""
    try:
        errors = sorted(
            _validator().iter_errors(item), key=lambda e: list(map(str, e.instance_path))
        )
    except ValueError as exc:  # not JSON data at all (a Python object built in code)
        return [f"(top): not JSON data: {exc}"]
    return [f"{'/'.join(map(str, e.instance_path)) or '(top)'}: {e.message}" for e in errors[:5]]


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


def story_from_ninjs(
    item: dict[str, Any], terms: Terms | None = None, *, validate: bool = True
) -> Story:
    """Build a :class:`Story` from a ninjs object; raise :class:`StoryError` if it cannot be one."""
    if not isinstance(item, dict):
        raise StoryError(f"a ninjs story must be a JSON object, not {type(item).__name__}")
    uri = item.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        raise StoryError("the story has no 'uri'", reason="missing_field")
    if validate:
        problems = validation_errors(item)
        if problems:
            raise StoryError(
                f"{uri}: not valid ninjs 2.2: " + "; ".join(problems), reason="invalid_ninjs"
            )
    bodies = [b for b in _items(item, "bodies") if b.get("value")]
    if not bodies:
        raise StoryError(f"{uri}: the story has no body ('bodies')", reason="missing_field")
    body = next((b for b in bodies if b.get("role") == "main"), bodies[0])
    paragraphs = paragraphs_of(str(body["value"]))
    if not paragraphs:
        raise StoryError(f"{uri}: the story's body has no text", reason="missing_field")
    headlines = _items(item, "headlines")
    headline = next(
        (str(h.get("value", "")) for h in headlines if h.get("value")),
        "",
    )
    people = _items(item, "people")
    reporters = tuple(
        str(p["name"]) for p in people if p.get("name") and p.get("rel", "author") == "author"
    )
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
