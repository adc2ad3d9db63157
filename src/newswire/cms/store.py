"""One CMS item into the wire, in one transaction: a new story, a correction, a quiet update
of its metadata, a flag for an editor, or nothing at all (seen before, unchanged).

The rules:

- The CMS's id maps to one story. The item row is unique per (source, CMS id) and the
  story's ``uri`` is made from the same pair, so two polls racing over one new item
  make one story: the loser's transaction fails on the unique key, is rolled back whole,
  and the item is then read as already there.
- A change of the **text** (headline or body) of a story already published on the wire
  is a correction (a new version, noted "Updated in the CMS"); the correction notices to
  partners follow from it as from any correction (and wait while the story is embargoed).
  Before it was published, the text is simply replaced.
- A change of anything else (byline, photos and their captions, desk, link, summary) is
  applied without a version; the item notes what changed, and an editor may still send
  it as a correction from the admin.
- What the CMS gives is compared with what it gave last time, never with the wire's copy:
  an editor's own change on the wire is not undone by the next poll.
- An item deleted or unpublished in the CMS is flagged for an editor; its story is left
  as it is (never withdrawn by a poll).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ..wire import stories
from ..wire.models import Story, Terms
from ..wire.ninjs import BadRecord, StoryFields
from ..wire.stories import check_fields, set_bylines, set_media
from .models import Fault, Item, StorySource
from .readers import Entry

NOTE = "Updated in the CMS"
NO_AUTHOR = "no author: kept as a draft until the CMS or an editor adds one"


def story_uri(source: StorySource, entry: Entry) -> str:
    if source.kind == StorySource.Kind.NINJS:
        return entry.cms_id  # a ninjs uri is already meant to be unique everywhere
    uri = f"urn:newswire:cms:{source.pk}:{entry.cms_id}"
    if len(uri) > 300:
        uri = f"urn:newswire:cms:{source.pk}:sha1:{hashlib.sha1(entry.cms_id.encode()).hexdigest()}"
    return uri


def text_hash(fields: StoryFields) -> str:
    return hashlib.sha256(f"{fields.headline}\0{fields.body}".encode()).hexdigest()


def _captions_only(old: str, new: str) -> bool:
    """Whether two texts of a story differ only in their photos' captions (a figure's
    ``figcaption``, WordPress's ``wp-caption-text``, an image's alt text): an edit of a
    caption is the photo's, not a correction of the story's text."""
    if old == new:
        return False
    return _text_without_captions(old) == _text_without_captions(new)


def _text_without_captions(body: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(f"<html><body>{body}</body></html>")
    for node in tree.css("figcaption, .wp-caption-text, .wp-element-caption"):
        node.decompose()
    for node in tree.css("img"):
        node.decompose()
    return " ".join((tree.body.text(separator=" ") if tree.body is not None else "").split())


def meta_of(entry: Entry, fields: StoryFields) -> dict[str, Any]:
    """Everything but the text, in a form to compare with the last poll's."""
    return {
        "byline": [[n, t, entry.links.get(n, "")] for n, t in fields.reporters],
        "photos": [[m.url, m.caption, m.credit, m.copyright_holder] for m in fields.media],
        "desk": fields.desk,
        "link": fields.canonical_url,
        "summary": fields.summary,
        "tags": entry.tags,
        "release time": fields.release_at.isoformat() if fields.release_at else "",
    }


def fault(source: StorySource, where: str, reason: str, entry: Entry | None = None) -> None:
    """Record a fault; an item's once, until the item changes (not again at every poll)."""
    key = ""
    if entry is not None:
        state = entry.modified or (
            text_hash(entry.fields) if entry.fields is not None else entry.where
        )
        key = hashlib.sha256(f"{entry.cms_id}\0{state}\0{reason}".encode()).hexdigest()
        if Fault.objects.filter(source=source, item_key=key).exists():
            return
    Fault.objects.create(source=source, where=where[:300], reason=reason[:2000], item_key=key)


#: a page with at least this many items new to the wire stores them in bulk (a source's
#: first poll: a hundred posts a page); fewer go one by one
BULK_MIN = 5


def store_page(source: StorySource, entries: list[Entry], terms: Terms) -> list[str]:
    """Take a page of entries; return what happened to each (as :func:`store`). The items
    new to the wire (no item and no story for them yet: a source's first poll) are stored
    together, one statement per table, by the same rules as one by one; the rest, and all
    of them if another poll stored one of them meanwhile, one by one."""
    fresh = _new_items(source, entries)
    if len(fresh) >= BULK_MIN:
        try:
            with transaction.atomic():
                made = _create_many(source, [entries[i] for i in fresh], terms)
        except IntegrityError:  # another poll made one of them meanwhile: one by one
            made = None
        if made is not None:
            done = dict(zip(fresh, made, strict=True))
            return [done[i] if i in done else store(source, e, terms)
                    for i, e in enumerate(entries)]  # fmt: skip
    return [store(source, e, terms) for e in entries]


def _new_items(source: StorySource, entries: list[Entry]) -> list[int]:
    """The positions of the entries that would be created, each a story new to the wire
    (two queries for the page). An item given twice on a page goes one by one. Only when
    there are enough for a bulk insert are their fields checked here (the others are
    checked by :func:`store`, once); one that fails is left to :func:`store`, which
    records the fault."""
    candidates: dict[str, int] = {}  # uri -> position
    ids: dict[str, int] = {}  # cms id -> how many times on the page
    for entry in entries:
        ids[entry.cms_id] = ids.get(entry.cms_id, 0) + 1
    for i, entry in enumerate(entries):
        if entry.problem or not entry.cms_id or entry.gone or entry.fields is None:
            continue
        uri = story_uri(source, entry)
        if ids[entry.cms_id] == 1 and uri not in candidates:
            candidates[uri] = i
    wanted = [entries[i].cms_id for i in candidates.values()]
    known = set(
        Item.objects.filter(source=source, cms_id__in=wanted).values_list("cms_id", flat=True)
    )
    there = set(Story.objects.filter(uri__in=list(candidates)).values_list("uri", flat=True))
    fresh = [
        i for uri, i in candidates.items() if uri not in there and entries[i].cms_id not in known
    ]
    if len(fresh) < BULK_MIN:
        return []
    usable = []
    for i in sorted(fresh):
        fields = entries[i].fields
        assert fields is not None
        fields.uri = story_uri(source, entries[i])
        try:
            check_fields(fields)
        except BadRecord:
            continue
        usable.append(i)
    return usable


def _create_many(source: StorySource, entries: list[Entry], terms: Terms) -> list[str]:
    """:func:`_create` for entries new to the wire, in bulk (inside the caller's
    transaction)."""
    decided: dict[str, tuple[str, bool]] = {}  # uri -> (status, waits for its author)
    batch: list[tuple[str, StoryFields]] = []
    for entry in entries:
        assert entry.fields is not None
        decided[entry.fields.uri] = _new_status(source, entry, entry.fields)
        batch.append((entry.where, entry.fields))

    def decide(fields: StoryFields, warnings: list[str]) -> tuple[str, str]:
        return decided[fields.uri][0], fields.canonical_url

    links = {fields.uri: entry.links for entry, (_, fields) in zip(entries, batch, strict=True)}
    made = stories.create_many(batch, terms, source.url, decide=decide, links=links)
    Item.objects.bulk_create(
        Item(source=source, cms_id=entry.cms_id, story=story, text_hash=text_hash(fields),
             meta=meta_of(entry, fields), cms_modified=entry.modified[:40],
             waiting_for_author=decided[fields.uri][1])
        for entry, (_, fields), (_, story, _) in zip(entries, batch, made, strict=True)
    )  # fmt: skip
    return ["created"] * len(entries)


def _new_status(source: StorySource, entry: Entry, fields: StoryFields) -> tuple[str, bool]:
    """A new item's status, and whether it waits for its author; the faults that keep it a
    draft are recorded (no author, a text that did not decode cleanly)."""
    status: str = Story.Status.DRAFT
    if source.publish:
        status = (
            fields.status if fields.status == Story.Status.SCHEDULED else Story.Status.PUBLISHED
        )
    waiting = status != Story.Status.DRAFT and not fields.reporters
    if waiting:
        status = Story.Status.DRAFT
        fault(source, entry.where, NO_AUTHOR)
    if entry.hold:  # a text that did not decode cleanly: an editor looks before it goes out
        status = Story.Status.DRAFT
        fault(source, entry.where, f"{entry.hold}; kept as a draft")
    return status, waiting


def store(source: StorySource, entry: Entry, terms: Terms) -> str:
    """Take one entry; return what happened: created, corrected, updated, unchanged, flagged,
    skipped (a fault was recorded)."""
    if entry.problem or not entry.cms_id:
        fault(source, entry.where, entry.problem or "the item has no id", entry)
        return "skipped"
    if entry.gone:
        return _flag(source, entry)
    fields = entry.fields
    assert fields is not None
    fields.uri = story_uri(source, entry)
    try:
        check_fields(fields)
    except BadRecord as exc:  # named; the item is skipped, the rest goes on
        fault(source, entry.where, str(exc), entry)
        return "skipped"
    try:
        return _store(source, entry, fields, terms)
    except (DatabaseError, ValidationError) as exc:  # not expected: named, and the rest goes on
        fault(source, entry.where, f"not stored: {exc}", entry)
        return "skipped"


def _store(source: StorySource, entry: Entry, fields: StoryFields, terms: Terms) -> str:
    for attempt in range(2):
        try:
            with transaction.atomic():
                item = (
                    Item.objects.select_for_update()
                    .filter(source=source, cms_id=entry.cms_id)
                    .first()
                )
                if item is None:
                    return _create(source, entry, fields, terms)
                return _update(source, item, entry, fields, terms)
        except IntegrityError:
            if attempt:  # the item is there now, and still cannot be stored: say so
                raise
            # another poll made this item's story between our look and our insert
    raise AssertionError("unreachable")


def _flag(source: StorySource, entry: Entry) -> str:
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(source=source, cms_id=entry.cms_id).first()
        if item is None or item.flag in (entry.gone, Item.Flag.REVIEWED):
            return "unchanged"
        item.flag, item.flagged_at = entry.gone, timezone.now()
        item.save(update_fields=["flag", "flagged_at"])
    return "flagged"


def story_with_uri(uri: str) -> Story | None:
    """The story with this uri: imported by file, or made by another poll meanwhile."""
    return Story.objects.filter(uri=uri).first()


def _create(source: StorySource, entry: Entry, fields: StoryFields, terms: Terms) -> str:
    story = story_with_uri(fields.uri)
    if story is not None:
        item = Item.objects.select_for_update().filter(story=story).first()
        if item is not None and (item.source_id, item.cms_id) != (source.pk, entry.cms_id):
            fault(
                source, entry.where, f"story {fields.uri} already comes from another source", entry
            )
            return "skipped"
        # a story imported by file (adopted now), or this very item, stored by another poll
        # since we looked for it
        item = item or Item(source=source, cms_id=entry.cms_id, story=story, text_hash="", meta={})
        return _update(source, item, entry, fields, terms)
    status, waiting = _new_status(source, entry, fields)
    story = stories.create(
        fields, terms, source=source.url, status=status, canonical=fields.canonical_url,
        links=entry.links,
    )  # fmt: skip
    Item.objects.create(
        source=source,
        cms_id=entry.cms_id,
        story=story,
        text_hash=text_hash(fields),
        meta=meta_of(entry, fields),
        cms_modified=entry.modified[:40],
        waiting_for_author=waiting,
    )
    return "created"


def _update(
    source: StorySource, item: Item, entry: Entry, fields: StoryFields, terms: Terms
) -> str:
    new_text, new_meta = text_hash(fields), meta_of(entry, fields)
    revived = item.flag in (Item.Flag.DELETED, Item.Flag.UNPUBLISHED)
    if new_text == item.text_hash and new_meta == item.meta and not revived:
        return "unchanged"
    if entry.hold:
        fault(source, entry.where, f"{entry.hold}; this change was not applied", entry)
        return "skipped"
    if not fields.reporters and item.pk and not item.waiting_for_author:
        fault(source, entry.where, "no author: this change was not applied (the story keeps "
                                   "its byline until the CMS gives one again)", entry)  # fmt: skip
        return "skipped"
    story = item.story
    outcome = "updated"
    changed = [k for k, v in new_meta.items() if item.meta.get(k) != v] if item.pk else []
    if "release time" in changed and story.status != Story.Status.WITHDRAWN:
        # the CMS scheduled the post (again): the wire holds the story until then too,
        # and a correction made meanwhile waits with it
        story.release_at = fields.release_at
    story.summary = fields.summary or story.summary
    story.desk = fields.desk[:100]
    story.canonical_url = fields.canonical_url[:500]
    if new_text != item.text_hash and fields.headline == story.headline and _captions_only(
        story.body, fields.body
    ):
        story.body = fields.body  # a photo's caption fixed in the text: no correction of it
        story.save()
    elif new_text != item.text_hash:  # (the service saves the story, its text with it)
        corrected = stories.change_text(
            story, headline=fields.headline, body=fields.body, note=NOTE
        )
        outcome = "corrected" if corrected else "updated"
    else:
        story.save()
    set_bylines(story, [(n, t, entry.links.get(n, "")) for n, t in fields.reporters])
    set_media(story, fields.media, terms)
    if item.waiting_for_author and fields.reporters:
        item.waiting_for_author = False
        if source.publish and story.status == Story.Status.DRAFT:
            story.publish_now()
    if outcome == "updated" and changed and new_text == item.text_hash:
        item.metadata_change = ", ".join(changed)[:300]
    if revived:
        item.flag, item.flagged_at = Item.Flag.NONE, None
    item.text_hash, item.meta = new_text, new_meta
    item.cms_modified = entry.modified[:40]
    item.changed_at = timezone.now()
    item.save()
    return outcome
