"""The stories service: the one place a story is written from outside fields (the records
of a file ``newswire import`` reads, the items of a CMS source), one at a time or in bulk.

Both callers decide what is theirs to decide (a story's status and canonical URL; whether
a change of its text is a correction) and leave the rest here: a story's bylines (one per
reporter, a reporter found by author page or name), its photos (a photo with no licence of
its own is restricted when its credit names a source the terms restrict), its first
version, the caches told, and :data:`newswire.events.stories_created` sent after a bulk
insert. An editor's own changes go through the admin and the models' methods
(``Story.correct``, ``publish_now``); they are not fields from outside.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError

from ..events import stories_created
from .cache import forget as forget_cached
from .models import Byline, Licence, Media, Reporter, Story, StoryVersion, Terms, headline_slug
from .ninjs import BadRecord, MediaFields, StoryFields
from .sanitize import clean_html


def create(
    fields: StoryFields,
    terms: Terms,
    *,
    source: str,
    status: str,
    canonical: str,
    links: Mapping[str, str] | None = None,
) -> Story:
    """Store one story that is not on the wire yet, with its bylines, photos and (once
    published) its first version. ``fields`` have passed :func:`check_fields`; ``status``
    and ``canonical`` are the caller's decision; ``links``: the author pages of its
    reporters, by name."""
    links = links or {}
    story = _new_story(fields, source=source, status=status, canonical=canonical)
    story.save()
    set_bylines(story, [(n, t, links.get(n, "")) for n, t in fields.reporters], new=True)
    set_media(story, fields.media, terms, new=True)
    if story.status == Story.Status.PUBLISHED:
        story.snapshot()
    return story


def _new_story(fields: StoryFields, *, source: str, status: str, canonical: str) -> Story:
    """A story not yet saved, from its fields and the caller's status and canonical URL."""
    story = Story(
        uri=fields.uri, headline=fields.headline, body=fields.body, summary=fields.summary,
        desk=fields.desk[:100], canonical_url=canonical[:500], release_at=fields.release_at,
        language=fields.language[:20], status=status, source=source[:500],
        created_at=fields.published_at or datetime.now(UTC),
    )  # fmt: skip
    if fields.published_at and status == Story.Status.PUBLISHED:
        story.published_at = fields.published_at
    return story


def _photos(story: Story, media: list[MediaFields],
            licence_of: Callable[[MediaFields], Licence | None]) -> list[Media]:  # fmt: skip
    """A story's photos, not yet saved, in order, each with its licence."""
    return [
        Media(story=story, position=pos, url=m.url[:1000], caption=m.caption,
              credit=m.credit[:300], copyright_holder=m.copyright_holder[:300],
              licence=licence_of(m))
        for pos, m in enumerate(media)
    ]  # fmt: skip


def change_text(
    story: Story, *, headline: str, body: str, note: str, published: bool | None = None
) -> bool:
    """Give a story on the wire a new text; return whether it was a correction. Once the
    story has been published on the wire (it has a version: ``published``, if the caller
    read it already) the change is a correction, a new version with ``note`` that partners
    hear of; before, the text is simply replaced. The story is saved either way."""
    if published is None:
        published = story.versions.exists()
    if published:
        story.save()
        return story.correct(body=body, headline=headline, note=note) is not None
    story.body, story.headline = body, headline
    story.save()
    return False


def licence_for(m: MediaFields, terms: Terms) -> Licence | None:
    if not m.usage_terms:
        return None
    restricted = terms.restricts(f"{m.credit} {m.copyright_holder} {m.caption} {m.usage_terms}")
    name = m.usage_terms[:200]
    licence, _ = Licence.objects.get_or_create(
        name=name, defaults={"usage_terms": m.usage_terms, "redistributable": not restricted}
    )
    return licence


def _drop_nul(fields: StoryFields) -> None:
    """PostgreSQL text cannot hold NUL characters; they carry nothing in a story either."""
    for name, value in vars(fields).items():
        if isinstance(value, str) and "\x00" in value:
            setattr(fields, name, value.replace("\x00", ""))
    fields.reporters = [(n.replace("\x00", ""), t.replace("\x00", "")) for n, t in fields.reporters]
    for m in fields.media:
        for name, value in vars(m).items():
            if isinstance(value, str):
                setattr(m, name, value.replace("\x00", ""))


def reporter_for(name: str, title: str = "", url: str = "") -> Reporter:
    """The reporter a byline names: the one with this author URL, else the one with this
    name (in any case), else a new one."""
    if url:
        found = Reporter.objects.filter(url=url).first()
        if found is not None:
            return found
    found = Reporter.objects.filter(name__iexact=name).order_by("pk").first()
    if found is None:
        return Reporter.objects.create(name=name, title=title, url=url)
    if url and not found.url:
        found.url = url
        found.save(update_fields=["url"])
    return found


def set_bylines(story: Story, reporters: list[tuple[str, str, str]], *, new: bool = False) -> bool:
    """Make the story's byline (name, title, author URL) for each reporter, in order;
    return whether it changed. ``new``: the story was just made and has none yet."""
    wanted = [(n.strip()[:200], t.strip()[:200], u[:500]) for n, t, u in reporters if n.strip()]
    if not new:
        current = [(b.reporter.name, b.shown_title) for b in story.ordered_bylines()]
        if [(n, t) for n, t, _ in wanted] == current:
            return False
        Byline.objects.filter(story=story).delete()
    made: dict[int, Byline] = {}
    for pos, (name, title, url) in enumerate(wanted):
        reporter = reporter_for(name, title, url)
        # one byline per reporter, even if a feed names one twice
        made.setdefault(
            reporter.pk, Byline(story=story, reporter=reporter, position=pos, title=title)
        )
    _add_parts(story, Byline, list(made.values()), new)
    return True


def set_media(story: Story, media: list[MediaFields], terms: Terms, *, new: bool = False) -> bool:
    """Make the story's images these; return whether they changed. A photo with no licence
    of its own is restricted when its credit names a source the terms restrict."""
    if not new:
        want = [(m.url, m.caption, m.credit) for m in media]
        have = [(m.url, m.caption, m.credit) for m in story.media.all()]
        if want == have:
            return False
        story.media.all().delete()
    _add_parts(story, Media, _photos(story, media, lambda m: licence_for(m, terms)), new)
    return True


def _add_parts(story: Story, model: Any, rows: list[Any], new: bool) -> None:
    """Insert a story's bylines or photos: in one statement for a story just made (its own
    save has already told the caches), one by one otherwise (each save tells them)."""
    if new:
        model.objects.bulk_create(rows)
        return
    for row in rows:
        row.save()


def check_fields(fields: StoryFields) -> None:
    """Check one story against the models' own limits; raise :class:`BadRecord` if it fails.

    The limits live in the models (lengths, http(s) URLs, the body's size), not in
    the database, so SQLite and PostgreSQL accept exactly the same stories.
    """
    _drop_nul(fields)
    fields.body = clean_html(fields.body)
    story = Story(
        uri=fields.uri,
        headline=fields.headline,
        body=fields.body,
        summary=fields.summary,
        desk=fields.desk[:100],
        canonical_url=fields.canonical_url,
        language=fields.language[:20],
    )
    problems = _field_errors(story, exclude=["slug", "source"])
    for n, m in enumerate(fields.media, start=1):
        photo = Media(url=m.url, caption=m.caption, credit=m.credit,
                      copyright_holder=m.copyright_holder)  # fmt: skip
        problems += [f"photo {n} {p}" for p in _field_errors(photo, exclude=["story", "file"])]
    for name, title in fields.reporters:
        problems += _field_errors(Reporter(name=name.strip(), title=title.strip()), exclude=[])
    if problems:
        raise BadRecord(f"{fields.uri[:120]}: " + "; ".join(problems))


def _field_errors(obj: Any, exclude: list[str]) -> list[str]:
    try:
        obj.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return [
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in exc.message_dict.items()
        ]
    return []


class Parts:
    """What the stories of one import share, looked up once: reporters by name, licences
    by their usage terms."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.reporters: dict[str, Reporter] = {}
        self.licences: dict[str, Licence | None] = {}

    def reporter(self, name: str, title: str, url: str = "") -> Reporter:
        key = f"{url}\x00{name}"
        found = self.reporters.get(key)
        if found is None:
            found = self.reporters[key] = reporter_for(name, title, url)
        return found

    def licence(self, m: MediaFields) -> Licence | None:
        key = f"{m.usage_terms}\x00{m.credit}\x00{m.copyright_holder}\x00{m.caption}"
        if key not in self.licences:
            self.licences[key] = licence_for(m, self.terms)
        return self.licences[key]


#: decides a new story's status and canonical URL from its fields (warnings added to the list)
Decide = Callable[[StoryFields, list[str]], tuple[str, str]]


def create_many(
    batch: list[tuple[str, StoryFields]],
    terms: Terms,
    source: str,
    parts: Parts | None = None,
    *,
    decide: Decide,
    links: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, Story, list[str]]]:
    """Store stories that are not on the wire yet, in one statement per table (stories,
    bylines, photos, first versions), by the same rules as :func:`upsert` and
    :meth:`Story.save` (what they make true is made true first, by ``Story.prepare``).
    ``decide``: each story's status and canonical URL (a file's own rule by default; a
    CMS source's is its own); ``links``: the author pages of a story's reporters, by its
    uri and the reporter's name. Returns (where, story, warnings) for each."""
    parts = parts or Parts(terms)
    links = links or {}
    made: list[tuple[str, Story, list[str], StoryFields]] = []
    # the slugs taken: the batch's headlines' own (one query), and for a headline whose
    # slug is taken, its -2, -3 … (a query for each such headline: few)
    bases = {headline_slug(f.headline) for _, f in batch}
    slugs: set[str] = set(Story.objects.filter(slug__in=bases).values_list("slug", flat=True))
    for base in list(slugs):
        slugs |= set(Story.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for where, fields in batch:
        warnings: list[str] = []
        status, canonical = decide(fields, warnings)
        story = _new_story(fields, source=source, status=status, canonical=canonical)
        story.prepare(taken=slugs, query=False)
        slugs.add(story.slug)
        if story.status == Story.Status.PUBLISHED:
            story.version = 1
        made.append((where, story, warnings, fields))
    stories = Story.objects.bulk_create([m[1] for m in made])
    bylines, photos, versions = [], [], []
    for (_, _, _, fields), story in zip(made, stories, strict=True):
        seen: set[int] = set()
        pages = links.get(fields.uri, {})
        for pos, (given, title) in enumerate(fields.reporters):
            name, title = given.strip()[:200], title.strip()[:200]
            if not name:
                continue
            reporter = parts.reporter(name, title, pages.get(given, "")[:500])
            if reporter.pk not in seen:  # one byline per reporter, even if named twice
                seen.add(reporter.pk)
                bylines.append(Byline(story=story, reporter=reporter, position=pos, title=title))
        photos += _photos(story, fields.media, parts.licence)
        if story.status == Story.Status.PUBLISHED:
            versions.append(StoryVersion(story=story, number=1, headline=story.headline,
                                         body=story.body))  # fmt: skip
    Byline.objects.bulk_create(bylines)
    Media.objects.bulk_create(photos)
    StoryVersion.objects.bulk_create(versions)
    forget_cached()  # (what a save's signal does for each)
    stories_created.send(sender=Story, stories=stories)
    return [(where, story, warnings) for (where, _, warnings, _), story in zip(made, stories,
                                                                          strict=True)]  # fmt: skip
