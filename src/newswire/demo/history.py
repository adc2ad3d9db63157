"""A history for the demo, so that every chart and ranking shows what it is for on the
first visit: the demo's copies first seen over the past two months, beacon views per day,
and a correction one partner's copy shows and another's does not.

What is made up, and said so (``newswire demo`` prints it; the demo's README too):

- **When each copy was first seen.** The sample crawl dates every page the same day, so
  the copies are spread over the past 58 days, in a fixed order (a seeded shuffle); the
  three partners' copies of the seed story 26, 22 and 12 days ago (in the overview's
  default 30 days). Their scheduled
  re-checks are marked done: the sites are fictional (``*.example``), and a re-check
  could only find them unreachable.
- **The seed story's correction.** The story as its wire published it carried an inline
  link, "(RELATED: …)", which the demo's loader drops (it belongs to the web page, not
  the story). Here the text with it becomes version 1, published 62 days ago, and the
  text without it version 2, a correction made 16 days ago. The partners whose copies came
  before it are recorded as having received the story when their copies were first seen,
  so the correction's notices are queued to them and sent by the worker, for real, to the
  demo's mailbox (the Prairie Gazette's copy came after it, with the corrected text).
  Which copy still shows the old text is found by the checks, on the text the scan read.
  For time to correct, the told partners were told 5 minutes after the correction, and the
  one whose copy carries the corrected text was seen carrying it 30 hours later (a re-check
  recorded then); the other's copy is still waiting.
- **Beacon views per day** for the copies whose page shows the beacon, falling from the
  partner's first day, from a seeded random walk.

It runs once, the first time the demo loads its copies: run again, it changes nothing.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..demo.load import SEED_URI, demo_folder
from ..distribution.models import BeaconHit, Delivery
from ..distribution.notices import notices_for
from ..engine import Scanner, story_from_ninjs, terms_from_dict
from ..engine.types import Page
from ..pickups.check import correction_missing
from ..pickups.models import CorrectionWatch, Pickup, PickupCheck, Site, Via
from ..pickups.record import PROBLEMS, backdate, record_correction_missing
from ..wire.models import Story, StoryVersion, Terms
from ..wire.ninjs import to_ninjs

NOTE = "Removed an inline link to a related story: it belonged to our web page, not the story."
DAYS = 58  # copies are first seen from DAYS days ago to yesterday
PARTNER_DAYS = {"riverbend-courier.example": 26, "lakeshore-ledger.example": 22,
                "news.prairie-gazette.example": 12}  # fmt: skip
PUBLISHED_DAYS_AGO = 62
CORRECTED_DAYS_AGO = 16
NOTICE_MINUTES = 5  # the correction's notices went out this long after it
CARRIED_HOURS = 30  # a told partner's corrected copy was seen this long after the notice
_RELATED = re.compile(r"\s*\(RELATED: [^)]*\)")


@dataclass
class History:
    copies: int = 0
    beacon_rows: int = 0
    stale: list[str] = field(default_factory=list)  # copies still showing the old text
    notices: int = 0

    def lines(self) -> list[str]:
        return [
            f"history (made up for the demo, see src/newswire/demo/README.md): {self.copies} "
            f"copies first seen over the past {DAYS} days; {self.beacon_rows} days of beacon "
            "views;",
            f"  a correction of the seed story {CORRECTED_DAYS_AGO} days ago, {self.notices} "
            f"notice{'' if self.notices == 1 else 's'} queued for the worker; still showing "
            f"the old text: {', '.join(self.stale) or 'none'}",
        ]


def load_demo_history(now: datetime | None = None) -> History | None:
    """Give the demo's copies their history (once); None when it has one already or there
    are no copies yet."""
    seed = Story.objects.filter(uri=SEED_URI).first()
    if seed is None or StoryVersion.objects.filter(story=seed, note=NOTE).exists():
        return None
    copies = list(Pickup.objects.select_related("site", "partner").order_by("url"))
    if not copies:
        return None
    now = now or timezone.now()
    rng = random.Random(20241001)
    out = History(copies=len(copies))
    with transaction.atomic():
        _first_seen(copies, now, rng)
        _correction(seed, copies, now, out)
        out.beacon_rows = _beacon(seed, copies, now, rng)
    return out


def _first_seen(copies: list[Pickup], now: datetime, rng: random.Random) -> None:
    others = [p for p in copies if p.site.host not in PARTNER_DAYS]
    rng.shuffle(others)
    days = {p.pk: 1 + (n * (DAYS - 1)) // max(len(others) - 1, 1) for n, p in enumerate(others)}
    days.update({p.pk: PARTNER_DAYS[p.site.host] for p in copies if p.site.host in PARTNER_DAYS})
    done = len(settings.NEWSWIRE_RECHECK_DAYS)
    for p in copies:
        at = now - timedelta(days=days[p.pk], hours=rng.randrange(0, 12))
        backdate(p, at, done)
        PickupCheck.objects.filter(pickup=p).update(at=at)
        p.first_seen = at
    for site in Site.objects.filter(pickups__isnull=False).distinct():
        first = min(p.first_seen for p in copies if p.site_id == site.pk)
        Site.objects.filter(pk=site.pk).update(first_seen=first)


def _correction(seed: Story, copies: list[Pickup], now: datetime, out: History) -> None:
    """Version 1 as published (with its inline link), version 2 the correction; then which
    copies of the seed story still show version 1, by the checks' own test."""
    published = now - timedelta(days=PUBLISHED_DAYS_AGO)
    original = (demo_folder() / "seed" / "story.txt").read_text(encoding="utf-8")
    related = _RELATED.search(original)
    if related is None:
        return
    # the paragraph the link closed, in the story's HTML as the loader made it
    line = next(x for x in original.splitlines() if related.group() in x)
    before_link = _RELATED.sub("", line).strip()
    body_v1 = seed.body.replace(before_link, before_link + related.group(), 1)
    if body_v1 == seed.body:
        return
    Story.objects.filter(pk=seed.pk).update(published_at=published)
    StoryVersion.objects.filter(story=seed, number=1).update(body=body_v1, created_at=published)
    corrected = now - timedelta(days=CORRECTED_DAYS_AGO)
    # bulk_create: the version's signals would queue a re-check of every copy (fictional
    # sites); its notices are queued below, to the partners who have the story
    (v2,) = StoryVersion.objects.bulk_create([StoryVersion(
        story=seed, number=2, headline=seed.headline, body=seed.body, note=NOTE,
        created_at=corrected)])  # fmt: skip
    Story.objects.filter(pk=seed.pk).update(version=2)
    seed.refresh_from_db()
    own = [p for p in copies if p.story_id == seed.pk]
    for p in own:
        # a partner that had the story before the correction (one whose copy came later
        # got the corrected text, and no notice)
        if p.partner is not None and p.first_seen < corrected:
            Delivery.objects.get_or_create(
                partner=p.partner, story=seed,
                defaults={"channel": Delivery.Channel.API, "first_at": p.first_seen},
            )  # fmt: skip
    out.notices = len(notices_for(v2))
    terms_row = Terms.current()
    terms = terms_from_dict(terms_row.to_dict())[0]
    scanner = Scanner([story_from_ninjs(to_ninjs(seed, terms_row), terms)], terms)
    told_at = corrected + timedelta(minutes=NOTICE_MINUTES)
    for p in own:
        if not p.text:
            continue
        told = p.partner is not None and p.first_seen < corrected
        body = "".join(f"<p>{html.escape(x)}</p>" for x in p.text.split("\n\n"))
        shown = f"<html><body><h1>{html.escape(p.headline)}</h1>{body}</body></html>"
        page = Page(url=p.url, body=shown.encode())
        matches = scanner.scan_page(page)
        stale = correction_missing(page, matches[0], scanner) if matches else ""
        if told:  # its partner was told: the copy's clock runs from the notice
            seen = None if stale else told_at + timedelta(hours=CARRIED_HOURS)
            CorrectionWatch.objects.get_or_create(
                pickup=p, kind=CorrectionWatch.Kind.CORRECTION, version=2,
                defaults={"partner": p.partner, "event_at": corrected, "told_at": told_at,
                          "fixed_at": seen},
            )  # fmt: skip
            if seen is not None:
                PickupCheck.objects.create(
                    pickup=p, url=p.url, at=seen, via=Via.RECHECK, compliant=p.compliant,
                    coverage=p.coverage, checks=p.checks, changes=["correction applied"],
                    observation="demo history: the correction carried",
                )  # fmt: skip
        if not stale:
            continue
        out.stale.append(p.site.host)
        record_correction_missing(p, stale)
        PickupCheck.objects.create(
            pickup=p, url=p.url, at=now, via=Via.WARC_SCAN, compliant=p.compliant,
            coverage=p.coverage, checks=p.checks, changes=[PROBLEMS["correction_not_applied"]],
            observation="demo history: the correction",
        )  # fmt: skip


def _beacon(seed: Story, copies: list[Pickup], now: datetime, rng: random.Random) -> int:
    """Views per day of the copies whose page shows the beacon (the snippet's image)."""
    with_beacon = _pages_with_beacon(demo_folder() / "pages.warc.gz")
    rows = []
    today = timezone.localdate(now)
    for p in copies:
        if p.url not in with_beacon:
            continue
        first = timezone.localdate(p.first_seen)
        views = 40.0 + rng.randrange(0, 80)
        key = hashlib.sha1(p.url.encode(), usedforsecurity=False).hexdigest()
        day = first
        while day <= today:
            rows.append(BeaconHit(story_id=p.story_id, page_url=p.url, page_key=key, day=day,
                                  hits=max(1, int(views)), at=p.first_seen,
                                  last_at=p.first_seen))  # fmt: skip
            views = views * rng.uniform(0.80, 0.97) + rng.randrange(0, 3)
            day += timedelta(days=1)
    BeaconHit.objects.bulk_create(rows, ignore_conflicts=True)  # no signal: no check queued
    return len(rows)


def _pages_with_beacon(warc: Path) -> set[str]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    found = set()
    with warc.open("rb") as fh:
        for record in ArchiveIterator(fh, record_types=WarcRecordType.response):
            if b"/beacon/" in record.reader.read():
                found.add(record.headers.get("WARC-Target-URI") or "")
    return found
