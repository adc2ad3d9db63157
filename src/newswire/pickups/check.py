"""Checking pages now: fetch each URL through the safe fetcher, run the engine on it with
the wire's stories, record what it finds (``newswire check``; the dashboard's form)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from ..discovery.fetcher import page_fetcher as page_fetcher  # (its callers' way to it)
from ..discovery.turns import turn_or_raise
from ..engine import Page, Scanner, story_from_ninjs
from ..engine.errors import EngineError
from ..fetch import FetchError, PageFetcher
from ..wire.models import Story, StoryVersion, Terms
from ..wire.sanitize import text_of
from . import wirescan
from .corrections import Verdict, verdict
from .looks import FetchedLooks
from .models import Pickup, Status, Via, url_key
from .record import (
    Recorded,
    keep_validators,
    record_match,
    record_no_copy,
    record_not_modified,
    record_unreadable,
)

#: A fetch refusal's reason, as a pickup's status.
STATUS_FOR = {
    "blocked_address": Status.BLOCKED,
    "bad_url": Status.BLOCKED,
    "robots": Status.ROBOTS,
    "too_large": Status.TOO_LARGE,
    "not_html": Status.NOT_HTML,
}


@dataclass
class Checked:
    """What checking one URL gave: the copies found, or why the page could not be read."""

    url: str
    status: str = Status.OK
    reason: str = ""
    found: list[Recorded] = field(default_factory=list)


def check_urls(
    urls: Iterable[str],
    *,
    via: str = Via.SUBMITTED,
    fetcher: PageFetcher | None = None,
    observation: str = "",
    defer: bool = False,
) -> Iterator[Checked]:
    """Check each page now and record the outcome; yield it. Nothing stops the rest.
    ``defer``
    (the worker): where a page's host has had its turn in the last second, raise
    :class:`~.turns.NotYourTurn` before anything is asked of it, and not wait."""
    own = fetcher is None
    fetcher = fetcher or page_fetcher()

    def wire() -> Scanner:  # warm, kept current; asked for once a page has been fetched
        return wirescan.scanner()

    try:
        for url in urls:
            yield check_one(url, wire, fetcher, via, observation, defer=defer)
    finally:
        if own:
            fetcher.close()


def check_one(
    url: str,
    wire: Callable[[], Scanner],
    fetcher: PageFetcher,
    via: str,
    observation: str = "",
    *,
    defer: bool = False,
) -> Checked:
    known = list(
        Pickup.objects.filter(url_key=url_key(url), status=Status.OK).select_related(
            "story", "version"
        )
    )
    # one copy known, checked against the story as it is now: ask whether the page changed
    # (after a correction the page must be read again, to compare it with the new text)
    validators = known[0] if len(known) == 1 else None
    if validators is not None and (
        validators.version is None or validators.version.number != validators.story.version
    ):
        validators = None
    try:
        fetched = fetcher.get(
            url,
            etag=validators.etag if validators else "",
            last_modified=validators.last_modified if validators else "",
            # the worker: the page and its robots.txt do not wait for their host's turn (the
            # page is put back in the queue); its sheets and pictures wait for theirs
            throttle=turn_or_raise if defer else None,
        )
    except FetchError as exc:
        status = STATUS_FOR.get(exc.reason, Status.UNREACHABLE)
        return _could_not(url, status, f"{exc.reason}: {exc.message}", via, observation)
    if fetched.status == 304 and validators is not None:
        record_not_modified(validators, url, via, observation)  # the verdict stands
        return Checked(url)
    if fetched.status in (404, 410):
        return _could_not(url, Status.GONE, f"HTTP {fetched.status}", via, observation)
    if not 200 <= fetched.status < 300:
        return _could_not(url, Status.UNREACHABLE, f"HTTP {fetched.status}", via, observation)
    page = Page(url=url, body=fetched.body, content_type=fetched.content_type,
                charset=fetched.charset, fetched_at=timezone.now(), source="fetch",
                where=fetched.final_url,
                robots=fetched.headers.get("x-robots-tag", "")[:500])  # fmt: skip
    # the wire, current as of now (read after the fetch: a page put back to wait for its
    # host's turn does not read it, and a batch builds it while the hosts' turns come)
    scanner = wire()
    try:
        # what the reader sees beyond the page's bytes (its site's stylesheets, its pictures),
        # fetched when the scan asks: only for a page that may hold a story
        matches = scanner.scan_page(page, FetchedLooks(fetcher, fetched.final_url or url,
                                                       page.body))  # fmt: skip
    except EngineError as exc:
        return _could_not(url, Status.NOT_HTML, f"cannot read the page: {exc}", via, observation)
    done = Checked(url)
    etag = fetched.headers.get("etag", "")[:300]
    modified = fetched.headers.get("last-modified", "")[:100]
    for match in matches:
        # one observation per pickup: the key may repeat across the stories of one page
        # the story read once for all three: its corrections, the version the copy carries,
        # the record
        story = Story.objects.filter(uri=match.story).first()
        judged = correction_verdict(match, story)
        stale = judged.evidence() if judged else ""
        carries = judged.carries if judged else None
        if judged and carries is not None and carries < judged.current and story is not None:
            match = measured_against(page, match, scanner, story, carries)
        found = record_match(match, via, observation=observation[:64], stale=stale,
                             carries=carries, story=story)  # fmt: skip
        keep_validators(found.pickup, etag, modified)
        done.found.append(found)
    if not matches:
        record_no_copy(url, via, observation)
    # a withdrawn story's copy no longer on this page: it came down
    shown = {m.story for m in matches}
    down = [p.pk for p in known if p.story.uri not in shown]
    if down:
        from .watch import carried

        carried(down, "withdrawal", timezone.now())
    return done


def _could_not(url: str, status: str, reason: str, via: str, observation: str = "") -> Checked:
    """Say why on every known copy at this URL, or on a check row of its own."""
    known = record_unreadable(url, status, reason, via, observation)
    if status == Status.GONE and known:  # a withdrawn story's copy came down
        from .watch import carried

        carried([p.pk for p in known], "withdrawal", known[0].last_checked)
    return Checked(url, status, reason)


def correction_verdict(match: Any, story: Story | None = None) -> Verdict | None:
    """What a copy carries of its story's corrections (``pickups/corrections.py``): every
    correction in turn, by what it changed and what the copy shows at that place; None for
    a story never corrected, or a copy whose text was not kept. ``story``: the match's, when
    the caller has it."""
    story = story or Story.objects.filter(uri=match.story).first()
    if story is None or story.version < 2 or not match.text:
        return None
    versions = [
        SimpleNamespace(number=v.number, headline=v.headline, body=text_of(v.body),
                        created_at=v.created_at, note=v.note)
        for v in StoryVersion.objects.filter(story=story).order_by("number")
    ]  # fmt: skip
    return verdict(versions, "\n\n".join(match.text), match.headline or "")


def correction_missing(page: Page, match: Any, scanner: Scanner) -> str:
    """Evidence that a copy has not applied a correction of its story, or ""."""
    found = correction_verdict(match)
    return found.evidence() if found else ""


def measured_against(page: Page, match: Any, scanner: Scanner, story: Story,
                     number: int) -> Any:  # fmt: skip
    """``match`` measured again against version ``number`` of its story (the version the copy
    carries): its coverage, edits and side-by-side are then those of the text it shows,
    not of a text it was never made from. ``match`` itself when that cannot be done."""
    from ..wire.ninjs import version_ninjs

    version = StoryVersion.objects.filter(story=story, number=number).first()
    if version is None:
        return match
    item = version_ninjs(story, version, Terms.current())
    old = Scanner([story_from_ninjs(item, scanner.terms, validate=False)], scanner.terms)
    again = [m for m in old.scan_page(page) if m.story == match.story]
    return again[0] if again else match
