"""Recording what the engine found: one pickup per (story, page), one check row per look.

Every way a copy arrives (a scan of WARC files, Spark results, a submitted URL, a
watched feed read, a re-check) ends here, with the engine's :class:`Match` for one (page,
story): as it is, from a scan or a check in this process (:func:`record_match`), or
read from the JSON line ``newswire scan`` and Spark write (:func:`record_result`, through
:meth:`Match.from_json`). Two processes recording the same copy at once make one row:
the database's unique constraint decides, and the loser updates the winner's row.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..engine.check import normalize_url
from ..engine.errors import ResultError
from ..engine.types import Match
from ..partners.models import PartnerDomain
from ..transient import retried
from ..wire.models import Story, StoryVersion
from .models import Pickup, PickupCheck, Site, Status, authorised_under, first_day_of, url_key

log = logging.getLogger(__name__)

MAX_TEXT = 200_000  # characters of a copy kept for its diff (a story is rarely a tenth of it)
PROBLEMS = {
    "correction_not_applied": "correction not applied",
    "withdrawn_still_up": "withdrawn story still up",
    "restricted_photo": "restricted photo used",
}


class BadResult(ValueError):
    """A result that cannot be recorded (not the scan's form, or a story not on this wire)."""


@dataclass
class Recorded:
    pickup: Pickup
    created: bool
    check: PickupCheck | None  # None: this observation was recorded before
    changes: list[str] = field(default_factory=list)


def page_host(url: str) -> str:
    """The host of a page's URL, without www.; "" when it has none (``mailto:``, a bare
    name). Not partners' ``host_of``, which reads a bare domain as a host on purpose."""
    try:
        return (urlsplit(url).hostname or "").lower().removeprefix("www.")
    except ValueError:  # "http://[::1/": no host that can be read
        return ""


def site_for(host: str) -> Site:
    """The site for a host (made once, race-safe), with the partner whose domain it is."""
    site = Site.objects.filter(host=host).select_related("partner").first()
    if site is not None:
        return site
    try:
        with transaction.atomic():
            return Site.objects.create(host=host, partner=partner_for_host(host))
    except IntegrityError:  # made by another process a moment ago
        return Site.objects.select_related("partner").get(host=host)


def partner_for_host(host: str) -> Any:
    """The partner that publishes on ``host`` or on a domain it is a sub-domain of."""
    labels = host.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    domain = (
        PartnerDomain.objects.filter(domain__in=candidates)
        .select_related("partner")
        .order_by("-domain")  # the longest (most specific) first
        .first()
    )
    return domain.partner if domain else None


def result_key(match: Match) -> str:
    """What a scan result looked at (file, place, page, story): recording it twice is a no-op."""
    parts = (match.source, match.where, match.url, match.story)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:64]


def changes_between(before: Pickup | None, match: Match) -> list[str]:
    """What a new verdict says that the last one did not ("fixed", "logo broken", …)."""
    if before is None:
        return ["found"]
    out = []
    if before.status != Status.OK:
        out.append(f"readable again (was {before.status})")
    if before.compliant != match.compliant:
        out.append("fixed" if match.compliant else "no longer compliant")
    for check in match.checks:
        was = before.checks.get(check.name)
        if was is not check.passed and was is not None and check.passed is not None:
            out.append(f"{check.name} {'fixed' if check.passed else 'broken'}")
    if abs(before.coverage - match.coverage) >= 0.05:
        out.append(f"coverage {before.coverage:.0%} -> {match.coverage:.0%}")
    return out


def record_result(
    result: Any,
    via: str,
    *,
    observation: str = "",
    observe: bool = False,
    at: datetime | None = None,
    story: Story | None = None,
    stale: str = "",
) -> Recorded:
    """Record a scan result read from JSON (a line of ``newswire scan`` or Spark's output):
    :func:`record_match` of :meth:`Match.from_json`; :class:`BadResult` names what is wrong
    with it. ``observe``: the observation key is the result's own (:func:`result_key`)."""
    try:
        match = Match.from_json(result)
    except ResultError as exc:
        raise BadResult(exc.message) from exc
    if observe:
        observation = result_key(match)
    return record_match(match, via, observation=observation, at=at, story=story, stale=stale)


def record_match(
    match: Match,
    via: str,
    *,
    observation: str = "",
    at: datetime | None = None,
    story: Story | None = None,
    stale: str = "",
    carries: int | None = None,
) -> Recorded:
    """Record one (page, story) match of the engine; raise :class:`BadResult` if unusable.
    ``carries``: the version of the story the copy carries (it missed the corrections after
    it; ``match`` is then measured against that version), else the story's own."""
    url = match.url
    host = page_host(url)
    if not host:
        raise BadResult(f"{url[:200]!r} is not a web page's URL")
    if story is None:
        story = Story.objects.filter(uri=match.story).first()
        if story is None:
            raise BadResult(f"story {match.story[:200]!r} is not on this wire")
    at = at or timezone.now()
    key = url_key(url)
    site = site_for(host)

    def once() -> Recorded:
        with transaction.atomic():
            pickup = Pickup.objects.select_for_update().filter(story=story, url_key=key).first()
            created = False
            if pickup is None:
                try:
                    with transaction.atomic():
                        pickup = Pickup.objects.create(
                            story=story, url=url[:2000], normalized_url=normalize_url(url)[:2000],
                            url_key=key, site=site, partner=site.partner, first_seen=at,
                            last_checked=at,
                        )  # fmt: skip
                    created = True
                except IntegrityError:  # another process recorded this copy a moment ago
                    pickup = Pickup.objects.select_for_update().get(story=story, url_key=key)
            # the row is locked now (PostgreSQL) or the database is (SQLite): whoever recorded
            # this observation before us has committed it
            if (
                not created
                and observation
                and PickupCheck.objects.filter(
                    pickup=pickup, via=via, observation=observation
                ).exists()
            ):
                return Recorded(pickup, False, None)  # these results were recorded before
            changes = changes_between(None if created else pickup, match)
            problems = []
            if story.status == Story.Status.WITHDRAWN:
                problems.append("withdrawn_still_up")
            if stale:
                problems.append("correction_not_applied")
            checks = {c.name: c.passed for c in match.checks}
            if checks.get("restricted_media") is False:
                problems.append("restricted_photo")
            for problem in sorted(set(problems) - set(pickup.problems or [])):
                changes.append(PROBLEMS[problem])
            if "correction_not_applied" in (pickup.problems or []) and not stale and not created:
                changes.append("correction applied")
            if not stale and not created and story.version > 1:
                from .watch import carried

                carried([pickup.pk], "correction", at, story.version)
            pickup.version = (
                StoryVersion.objects.filter(story=story, number=carries or story.version).first()
                or pickup.version
            )
            pickup.kind = match.kind[:10]
            pickup.coverage = match.coverage
            pickup.checks = checks
            pickup.evidence = {c.name: c.evidence for c in match.checks}
            if stale:
                pickup.evidence["correction"] = stale
            pickup.problems = problems
            pickup.edits = dict(match.edits)
            if match.text:  # (results from before the scan gave the copy keep the last one)
                pickup.headline = match.headline[:500]
                pickup.text = "\n\n".join(match.text)[:MAX_TEXT]
            pickup.published = match.published[:32]
            pickup.compliant = match.compliant
            pickup.canonical = match.canonical
            pickup.status, pickup.reason = Status.OK, ""
            pickup.partner = site.partner
            if pickup.embargo_broken_at is None and not story.was_released(at):
                # on the web before its release: an embargo break, for the editors at once
                pickup.embargo_broken_at = at
                changes.append("found before the story's release (embargo broken)")
                log.warning("embargo broken: %r (story %s, release %s) found on %s",
                            story.headline[:80], story.pk, story.release_at, url[:300])
            pickup.last_checked = max(at, pickup.last_checked) if not created else at
            pickup.save()
            check = PickupCheck.objects.create(
                pickup=pickup, url=url[:2000], at=at, via=via, observation=observation,
                status=Status.OK, compliant=pickup.compliant, coverage=pickup.coverage,
                checks=pickup.checks, changes=changes,
            )  # fmt: skip
        return Recorded(pickup, created, check, changes)

    # two processes recording copies at once can deadlock on the counts' rows (their
    # triggers upsert the same days): the loser's transaction was rolled back whole
    return retried(once, f"recording {url[:200]}")


# --- every other change to a copy: here too, so that one module writes copies ------------


def _recorded(pickup: Pickup | None, url: str, via: str, observation: str) -> bool:
    """Whether this observation (a task's run, a WARC record) was recorded before: a task
    run again after its worker died records nothing twice."""
    if not observation:
        return False
    if pickup is None:
        return PickupCheck.objects.filter(pickup=None, url=url[:2000], via=via,
                                          observation=observation[:64]).exists()  # fmt: skip
    return PickupCheck.objects.filter(pickup=pickup, via=via,
                                      observation=observation[:64]).exists()  # fmt: skip


def record_not_modified(pickup: Pickup, url: str, via: str, observation: str = "") -> None:
    """A check whose page was not modified since the copy was checked (HTTP 304): the
    verdict stands, and the check is recorded (once per observation)."""
    with transaction.atomic():
        if _recorded(pickup, url, via, observation):
            return
        pickup.last_checked = timezone.now()
        pickup.save(update_fields=["last_checked"])
        PickupCheck.objects.create(pickup=pickup, url=url[:2000], via=via, status=Status.OK,
                                   observation=observation[:64], compliant=pickup.compliant,
                                   coverage=pickup.coverage, checks=pickup.checks,
                                   changes=["not modified (304)"])  # fmt: skip


def record_no_copy(url: str, via: str, observation: str = "") -> None:
    """A page checked that holds no copy of any story (once per observation)."""
    with transaction.atomic():
        if not _recorded(None, url, via, observation):
            PickupCheck.objects.create(url=url[:2000], via=via, status=Status.OK,
                                       observation=observation[:64],
                                       changes=["no copy of any story"])  # fmt: skip


def keep_validators(pickup: Pickup, etag: str, last_modified: str) -> None:
    """The page's ETag and Last-Modified, asked with at the copy's next check."""
    Pickup.objects.filter(pk=pickup.pk).update(etag=etag, last_modified=last_modified)


def record_unreadable(url: str, status: str, reason: str, via: str,
                      observation: str = "") -> list[Pickup]:  # fmt: skip
    """A page that could not be read (gone, unreachable, refused by robots.txt): said on
    every known copy at this URL, with a check row each, or on a check row of its own
    (once per observation). Returns the copies."""
    known = list(Pickup.objects.filter(url_key=url_key(url)))
    now = timezone.now()
    with transaction.atomic():
        for pickup in known:
            if _recorded(pickup, url, via, observation):
                continue
            changes = [] if pickup.status == status else [f"now {status}"]
            pickup.status, pickup.reason, pickup.last_checked = status, reason[:2000], now
            pickup.save(update_fields=["status", "reason", "last_checked"])
            PickupCheck.objects.create(pickup=pickup, url=url[:2000], via=via, status=status,
                                       reason=reason[:2000], observation=observation[:64],
                                       changes=changes)  # fmt: skip
        if not known and not _recorded(None, url, via, observation):
            PickupCheck.objects.create(url=url[:2000], via=via, status=status,
                                       reason=reason[:2000],
                                       observation=observation[:64])  # fmt: skip
    return known


def change_hands(copies: Any, partner: Any) -> int:
    """These copies (a queryset) are ``partner``'s from now on (None: no partner's): the
    partner and whether the copy is authorised change together (``authorised_under``)."""
    return int(copies.update(partner=partner, authorised=authorised_under(partner)))


def follow_status(partner: Any) -> int:
    """The partner was suspended or reinstated: its copies are unauthorised or authorised."""
    now = authorised_under(partner)
    return int(Pickup.objects.filter(partner=partner).exclude(authorised=now)
               .update(authorised=now))  # fmt: skip


def count_recheck(pickup: Pickup, step: int) -> bool:
    """Mark the copy's scheduled re-check ``step`` as queued; False if another worker has
    (call in the transaction that queues the check: then it is queued once)."""
    return bool(Pickup.objects.filter(pk=pickup.pk, rechecks=step).update(rechecks=step + 1))


def ask_recheck(pickup: Pickup, at: datetime) -> None:
    """The copy's partner asked for a check now."""
    pickup.recheck_asked_at = at
    pickup.save(update_fields=["recheck_asked_at"])


def backdate(pickup: Pickup, at: datetime, rechecks: int) -> None:
    """Move a copy's first sight back, its first day with it (the demo's history: copies
    found over the past weeks, their re-checks done). ``update()``, not ``save()``: no
    signal may queue a check of a fictional site."""
    Pickup.objects.filter(pk=pickup.pk).update(first_seen=at, first_day=first_day_of(at),
                                               rechecks=rechecks)  # fmt: skip


def record_correction_missing(pickup: Pickup, said: str) -> None:
    """The copy still shows a text a correction changed: the problem, with ``said`` as its
    evidence (the demo's history, which reads its copies' text without fetching them)."""
    problems = sorted({*(pickup.problems or []), "correction_not_applied"})
    Pickup.objects.filter(pk=pickup.pk).update(
        problems=problems, evidence={**pickup.evidence, "correction": said}
    )
