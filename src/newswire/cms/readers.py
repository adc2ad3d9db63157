"""What a CMS answers, read into :class:`Entry` objects: one per item, with the story's
fields, or the reason the item cannot be used, or the news that it is gone.

One reader per kind of source: RSS and Atom (feedparser, through the importer's own
entry reader), WordPress's REST API (``/wp/v2/posts`` with ``_embed``), and ninjs
(an array, JSON lines, or a page ``{"items": [...], "next": ...}`` as newswire's own
API gives). Nothing here touches the database or the network.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..wire.importer import (
    TooDeep,
    _feed_authors,
    _feed_language,
    as_utf8,
    entry_fields,
    loads_or_too_deep,
    parse_feed,
    shallow_json,
)
from ..wire.models import Story
from ..wire.ninjs import BadRecord, MediaFields, StoryFields, fields_from_ninjs, parse_byline
from ..wordpress import error_message as wordpress_error
from ..wordpress import plain


class SourceFault(Exception):
    """The answer as a whole cannot be used (not a feed, an error object, HTTP 500 …)."""


@dataclass
class Entry:
    """One CMS item."""

    cms_id: str
    where: str  # "post 12", "entry 3", "item 4" (and the page it was on)
    fields: StoryFields | None = None
    #: reporter name → author page (WordPress author link, Atom author uri)
    links: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    problem: str = ""  # why the item cannot be used
    gone: str = ""  # Item.Flag: the CMS says it was deleted or unpublished
    modified: str = ""  # WordPress modified_gmt (the cursor)
    #: why the item's text cannot be trusted (a feed that does not decode cleanly): a new
    #: story stays a draft with a fault, a change to a story already there is not applied
    hold: str = ""


def looks_like_html(body: bytes) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


# --- RSS and Atom --------------------------------------------------------------------


def feed_entries(
    body: bytes, page: str, headers: Mapping[str, str] | None = None
) -> tuple[list[Entry], str]:
    """The entries of an RSS or Atom feed, and its ``rel="next"`` page (RFC 5005) if any.
    ``headers`` are the HTTP answer's: its charset is the feed's (see ``parse_feed``)."""
    if looks_like_html(as_utf8(body)):
        raise SourceFault("the address answered with an HTML page, not a feed")
    feed = parse_feed(body, headers)
    parsed = feed.parsed
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception") or "no <rss> or <feed> element"
        raise SourceFault(f"not a readable RSS/Atom feed: {reason}")
    entries = []
    for n, item in enumerate(parsed.entries, start=1):
        cms_id = str(item.get("id") or item.get("link") or "")[:300]
        where = f"entry {n}" + (f" ({cms_id})" if cms_id else "") + page
        try:
            fields = entry_fields(item, _feed_language(parsed), _feed_authors(parsed))
        except BadRecord as exc:
            entries.append(Entry(cms_id=cms_id, where=where, problem=str(exc)))
            continue
        links = {
            a["name"].strip(): a["href"]
            for a in item.get("authors") or []
            if a.get("name") and str(a.get("href", "")).startswith(("http://", "https://"))
        }
        tags = [t.get("term") for t in item.get("tags") or [] if t.get("term")]
        hold = (f"the feed's text cannot be trusted: {feed.garbled}" if feed.garbled
                else feed.bad_entries.get(n - 1, ""))  # fmt: skip
        entries.append(Entry(cms_id=cms_id, where=where, fields=fields, links=links, tags=tags,
                             hold=hold))  # fmt: skip
    after = next(
        (
            link.get("href", "")
            for link in parsed.feed.get("links", [])
            if link.get("rel") == "next"
        ),
        "",
    )
    return entries, after


# --- WordPress ---------------------------------------------------------------------


def wordpress_posts(body: bytes, page: str) -> list[Entry]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep
        what = "an HTML page" if looks_like_html(body) else f"something that is not JSON ({exc})"
        raise SourceFault(f"the posts endpoint{page} answered with {what}") from None
    error = wordpress_error(data)
    if error:
        raise SourceFault(error)
    if not isinstance(data, list):
        raise SourceFault(f"the posts endpoint answered with a JSON {type(data).__name__}, "
                          "not a list of posts")  # fmt: skip
    entries = []
    for n, post in enumerate(data, start=1):
        if not isinstance(post, dict) or "id" not in post:
            entries.append(Entry(cms_id="", where=f"post {n}{page}", problem="not a post object"))
            continue
        entries.append(wordpress_entry(post, page))
    return entries


def _wp_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # *_gmt fields are UTC


def _wp_authors(post: dict[str, Any], embedded: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, author page) of each author: Co-Authors Plus where the site has it, else
    WordPress's own author."""
    found: list[tuple[str, str]] = []
    coauthors = post.get("coauthors")
    if isinstance(coauthors, list):  # the common register_rest_field shape of Co-Authors Plus
        for a in coauthors:
            if isinstance(a, dict):
                name = a.get("display_name") or a.get("name") or ""
                found.append((plain(name), str(a.get("link") or a.get("url") or "")))
    if not found:  # Co-Authors Plus's "author" taxonomy, embedded as terms
        for group in embedded.get("wp:term") or []:
            for term in group if isinstance(group, list) else []:
                if isinstance(term, dict) and term.get("taxonomy") == "author":
                    found.append((plain(term.get("name")), str(term.get("link") or "")))
    if not found:
        for a in embedded.get("author") or []:
            if isinstance(a, dict) and a.get("name") and not a.get("code"):
                found.append((plain(a["name"]), str(a.get("link") or "")))
    return [(n, u if u.startswith(("http://", "https://")) else "") for n, u in found if n]


def wordpress_entry(post: dict[str, Any], page: str = "") -> Entry:
    cms_id = str(post["id"])
    where = f"post {cms_id}{page}"
    entry = Entry(cms_id=cms_id, where=where, modified=str(post.get("modified_gmt") or ""))
    status = post.get("status", "publish")
    if status not in ("publish", "future"):
        entry.gone = "unpublished"
        return entry
    content = post.get("content") or {}
    if isinstance(content, dict) and content.get("protected"):
        entry.problem = "the post is password-protected"
        return entry
    headline = plain(post.get("title"))
    body = content.get("rendered", "") if isinstance(content, dict) else str(content)
    if not headline:
        entry.problem = "the post has no title"
        return entry
    if not plain(body):
        entry.problem = "the post has no content"
        return entry
    embedded = post.get("_embedded") if isinstance(post.get("_embedded"), dict) else {}
    assert isinstance(embedded, dict)
    authors = _wp_authors(post, embedded)
    language = str(post.get("lang") or "en")  # (Polylang, WPML; WordPress itself says none)
    terms = [t for g in embedded.get("wp:term") or [] if isinstance(g, list) for t in g]
    categories = [
        plain(t.get("name"))
        for t in terms
        if isinstance(t, dict) and t.get("taxonomy") == "category"
        and plain(t.get("name")) not in ("", "Uncategorized")
    ]  # fmt: skip
    entry.tags = [plain(t.get("name")) for t in terms
                  if isinstance(t, dict) and t.get("taxonomy") == "post_tag"]  # fmt: skip
    media = []
    for m in embedded.get("wp:featuredmedia") or []:
        if not isinstance(m, dict) or m.get("code") or not m.get("source_url"):
            continue  # an error object: the image is private or gone
        meta = (m.get("media_details") or {}).get("image_meta") or {}
        media.append(
            MediaFields(
                url=str(m["source_url"]),
                caption=plain(m.get("caption")) or str(m.get("alt_text") or ""),
                credit=str(meta.get("credit") or ""),
                copyright_holder=str(meta.get("copyright") or ""),
            )
        )
    published = _wp_time(post.get("date_gmt"))
    scheduled = status == "future" and published is not None
    entry.fields = StoryFields(
        uri="",  # made by the store from the source and the post id
        headline=headline,
        body=body,
        # one WordPress user may stand for two reporters ("Anna Petrova and Ben Osei"):
        # its name is read as a feed's byline is
        reporters=[pair for name, _ in authors for pair in parse_byline(name, language)],
        summary=plain(post.get("excerpt")),
        desk=categories[0] if categories else "",
        canonical_url=str(post.get("link") or ""),
        status=Story.Status.SCHEDULED if scheduled else Story.Status.PUBLISHED,
        release_at=published if scheduled else None,
        published_at=published,
        media=media,
    )
    entry.links = {name: url for name, url in authors if url}  # (a split name has none)
    return entry


# --- ninjs ---------------------------------------------------------------------------


def _parses(line: str) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


GONE_PUBSTATUS = {"canceled": "deleted", "withheld": "unpublished"}


def ninjs_page(body: bytes, page: str) -> tuple[list[Entry], str]:
    """The items of a ninjs answer and its ``next`` (a URL or a cursor) if it has one."""
    text = body.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    items: list[Any]
    after = ""
    try:
        data = json.loads(text)
    except RecursionError:  # one item too deep spoils only itself (its fault names it)
        try:
            data = shallow_json(text)
        except ValueError:
            raise SourceFault("not usable JSON: nested too deep") from None
    except json.JSONDecodeError:
        if looks_like_html(body):
            raise SourceFault("the endpoint answered with an HTML page, not ninjs") from None
        lines = text.splitlines()
        try:  # JSON lines (a line too deep to read is that item's fault alone)
            data = [loads_or_too_deep(line) for line in lines if line.strip()]
        except json.JSONDecodeError as exc:
            n = next(i for i, line in enumerate(lines, 1) if line.strip() and not _parses(line))
            raise SourceFault(f"line {n}: not JSON: {exc.msg} (column {exc.colno})") from None
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        items, after = data["items"], str(data.get("next") or "")
    elif isinstance(data, dict) and "uri" in data:
        items = [data]
    elif isinstance(data, list):
        items = data
    else:
        raise SourceFault('not ninjs: neither an item, a list of items nor {"items": [...]}')
    entries = []
    for n, item in enumerate(items, start=1):
        uri = str(item.get("uri", ""))[:300] if isinstance(item, dict) else ""
        where = f"item {n}" + (f" ({uri})" if uri else "") + page
        entry = Entry(cms_id=uri, where=where)
        status = item.get("pubstatus") or item.get("pubStatus") if isinstance(item, dict) else ""
        if isinstance(item, TooDeep):
            entry.problem = "JSON nested too deeply to read (no ninjs story is like that)"
        elif status in GONE_PUBSTATUS and uri:  # (2.x's pubstatus, 3.x's pubStatus)
            entry.gone = GONE_PUBSTATUS[str(status)]
        else:
            try:
                entry.fields = fields_from_ninjs(item)
                entry.tags = [str(s.get("name")) for s in item.get("subjects") or []
                              if isinstance(s, dict) and s.get("name")]  # fmt: skip
            except BadRecord as exc:
                entry.problem = str(exc)
        entries.append(entry)
    return entries, after
