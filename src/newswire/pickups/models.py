"""Where the wire's stories went: sites, the copies found on them, and every check of a copy.

A :class:`Pickup` is one copy of one story at one page: one row per (story, normalised
URL), enforced by the database, however many scans, feed reads or re-checks find it. Each
time a copy is checked, a :class:`PickupCheck` row says when, how it was found and
what changed since the check before. The wire never imports this app (it does not
know who copies it); this app reads the wire and the partner program.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..discovery.models import Via as Via  # (how a copy was found: discovery's word)
from ..engine.check import normalize_url
from ..engine.types import CHECK_NAMES as CHECK_NAMES  # (the apps take them from here)
from ..wire.models import released_q


def _required() -> frozenset[str]:
    from ..wire.cache import current_terms

    return frozenset(current_terms().required or ())


def failed_mask(checks: dict[str, object]) -> int:
    """The checks that failed as bits (bit n: ``CHECK_NAMES[n]``), for the dashboard's counts."""
    return sum(1 << n for n, name in enumerate(CHECK_NAMES) if checks.get(name) is False)


def with_bit(name: str) -> list[int]:
    """Every mask with ``name``'s bit set: ``failed__in=with_bit("logo")`` counts by index."""
    bit = 1 << CHECK_NAMES.index(name)
    return [m for m in range(1 << len(CHECK_NAMES)) if m & bit]


def url_key(url: str) -> str:
    """The key a page is known by: SHA-256 of its normalised URL (scheme, www., tracking
    parameters and a trailing slash do not make another copy)."""
    return hashlib.sha256(normalize_url(url).encode()).hexdigest()


class Site(models.Model):
    host = models.CharField(max_length=253, unique=True, help_text="Lower case, without www.")
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sites",
        help_text="Set from the partners' domains (a host or a sub-domain of one).",
    )
    first_seen = models.DateTimeField(default=timezone.now)
    ignored = models.BooleanField(
        default=False,
        help_text="An editor decided its copies need nothing (an archive, a reader's page): "
        "it is left off the list of unauthorised sites. Its copies are still counted.",
    )

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class Status(models.TextChoices):
    """Whether the page could be read when it was last checked."""

    OK = "ok", "Read"
    UNREACHABLE = "unreachable", "Unreachable"
    GONE = "gone", "Gone (404/410)"
    ROBOTS = "robots", "Refused by robots.txt"
    TOO_LARGE = "too_large", "Too large"
    NOT_HTML = "not_html", "Not HTML"
    BLOCKED = "blocked", "Blocked address"


class PickupQuerySet(models.QuerySet["Pickup"]):
    def unauthorised(self) -> PickupQuerySet:
        """Copies on a host of no partner, or of a partner that is not active."""
        return self.filter(authorised=False)

    def authorised(self) -> PickupQuerySet:
        return self.filter(authorised=True)

    def shown_to_partners(self, now: Any = None) -> PickupQuerySet:
        """Copies a partner may be shown (its pages, CSV, notices, re-checks): copies of
        stories released (``wire.models.released_q``); never of a story under embargo."""
        return self.filter(released_q(now, prefix="story__"))

    def embargo_broken(self) -> PickupQuerySet:
        """Copies found on the web before their story's release: embargo breaks."""
        return self.filter(embargo_broken_at__isnull=False)


def first_day_of(first_seen: Any) -> Any:
    """A copy's first day (the dashboard counts by it): the local date it was first seen."""
    return timezone.localdate(first_seen)


def authorised_under(partner: Any) -> bool:
    """Whether a copy of ``partner``'s (None: of no partner) is authorised: its partner is
    active. The one rule for the ``authorised`` column, kept by :meth:`Pickup.save` and by
    ``pickups.record`` when copies change hands in bulk."""
    return partner is not None and partner.status == "active"


class Pickup(models.Model):
    story = models.ForeignKey("wire.Story", on_delete=models.CASCADE, related_name="pickups")
    url = models.CharField(max_length=2000, help_text="The page's URL as it was found.")
    normalized_url = models.CharField(max_length=2000, editable=False)
    url_key = models.CharField(max_length=64, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="pickups")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="pickups",
    )  # fmt: skip
    version = models.ForeignKey(
        "wire.StoryVersion", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="pickups", help_text="The story version the copy was checked against.",
    )  # fmt: skip
    kind = models.CharField(max_length=10, default="pickup")  # pickup | excerpt
    coverage = models.FloatField(default=0)
    checks = models.JSONField(default=dict, blank=True)  # check name -> true/false/null
    evidence = models.JSONField(default=dict, blank=True)  # check name -> text
    edits = models.JSONField(default=dict, blank=True)
    compliant = models.BooleanField(default=False)
    canonical = models.BooleanField(default=False)
    headline = models.CharField(max_length=500, blank=True, help_text="The copy's heading.")
    text = models.TextField(
        blank=True, help_text="The copy's text, paragraph by paragraph, as last checked."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OK)
    reason = models.TextField(blank=True, help_text="Why the page could not be read.")
    recheck_asked_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="When the partner last asked for this copy to be checked again.",
    )  # fmt: skip
    published = models.CharField(
        max_length=32, blank=True,
        help_text="When the page says it was published (ISO 8601, as the page states it: "
        "article:published_time, JSON-LD datePublished or <time>); empty if it does not say.",
    )  # fmt: skip
    first_seen = models.DateTimeField(default=timezone.now, db_index=True)
    last_checked = models.DateTimeField(default=timezone.now, db_index=True)
    # kept by save() for the dashboard: the day first seen (site time zone) and the
    # failed checks as bits, both in one narrow index that its counts read alone
    first_day = models.DateField(editable=False)
    failed = models.PositiveSmallIntegerField(default=0, editable=False)
    # the copy's partner is active (kept by save() and by the partners' signals), so that
    # "unauthorised" is a column of the dashboard's indexes rather than a join
    authorised = models.BooleanField(default=False, editable=False)
    problems = models.JSONField(
        default=list, blank=True,
        help_text="correction_not_applied, withdrawn_still_up, restricted_photo",
    )  # fmt: skip
    # when the copy was first found while its story was not yet released (a draft, scheduled
    # or under embargo): an embargo break, shown to editors at once, kept after the release
    embargo_broken_at = models.DateTimeField(null=True, blank=True, editable=False,
                                             db_index=True)  # fmt: skip
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    rechecks = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="Scheduled re-checks queued so far (1 and 7 days)."
    )

    objects = PickupQuerySet.as_manager()

    class Meta:
        ordering = ["-last_checked"]
        constraints = [
            models.UniqueConstraint(fields=["story", "url_key"], name="one_pickup_per_page")
        ]
        indexes = [
            # covers the dashboard's counts: a range of days, grouped and filtered by these
            models.Index(
                fields=["first_day", "kind", "compliant", "authorised", "partner", "site",
                        "story", "failed"],
                name="pickup_dashboard",
            ),
            models.Index(fields=["partner", "first_day", "compliant", "failed", "site"],
                         name="pickup_partner_days"),
            models.Index(fields=["site", "authorised", "story", "compliant", "first_seen",
                                 "last_checked", "first_day"],
                         name="pickup_site_days"),
        ]  # fmt: skip

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.failed = failed_mask(self.checks or {})
        self.authorised = authorised_under(self.partner if self.partner_id is not None else None)
        if self.first_day is None or not self.pk:
            self.first_day = first_day_of(self.first_seen)
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "failed", "first_day", "authorised"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.url} ({self.story_id})"

    @property
    def unauthorised(self) -> bool:
        return not self.authorised

    def failed_under(self, required: Collection[str]) -> list[str]:
        """The checks in ``required`` that the copy failed: why it is not compliant."""
        return [n for n, passed in self.checks.items() if passed is False and n in required]

    def advisory_under(self, required: Collection[str]) -> list[str]:
        """The checks the copy failed that are not in ``required``: shown, never a failure."""
        return [n for n, passed in self.checks.items() if passed is False and n not in required]

    @property
    def failed_checks(self) -> list[str]:
        """The required checks the copy failed, under the wire's terms (see also
        :attr:`advisory_failed`; lists of copies pass the terms once, to ``failed_under``)."""
        return self.failed_under(_required())

    @property
    def advisory_failed(self) -> list[str]:
        return self.advisory_under(_required())


# --- the dashboard's counts, kept as rows ---------------------------------------------
#
# A year of copies is 200,000 rows and more; the dashboard's figures over a range are sums
# over these few rows instead. They are written by the database itself: triggers on
# pickups_pickup (migration 0010) add a copy's row when it is inserted, take it away when
# it is deleted, and move it when an update changes what it is counted by, so that every
# way a copy changes (save(), a queryset's update() or delete(), a cascade, bulk_create,
# raw SQL) keeps them exact. Nothing in Python writes them. SQLite drops a table's
# triggers when a migration rebuilds it (an AlterField on Pickup does): such a migration
# must make them again (0010's ``triggers``); tests/pickups/test_counts.py checks they are there.


class DayCount(models.Model):
    """Copies first seen on a day, by kind, verdict and whether their partner is active."""

    day = models.DateField()
    kind = models.CharField(max_length=10)
    compliant = models.BooleanField()
    authorised = models.BooleanField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "kind", "compliant", "authorised"], name="one_day_count"
            )
        ]


class PartnerDay(models.Model):
    """A partner's copies first seen on a day: how many, how many compliant, and how many
    failed each check (``failed_<check>``)."""

    day = models.DateField()
    partner_id = models.IntegerField()  # (no foreign key: the trigger keeps it)
    n = models.IntegerField()
    compliant = models.IntegerField()
    failed_logo = models.IntegerField()
    failed_byline = models.IntegerField()
    failed_affiliation = models.IntegerField()
    failed_link = models.IntegerField()
    failed_restricted_media = models.IntegerField()
    failed_unedited = models.IntegerField()
    failed_canonical = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "partner_id"], name="one_partner_day")
        ]
        indexes = [models.Index(fields=["partner_id", "day"], name="partner_day_partner")]


class StoryMonth(models.Model):
    """A story's copies first seen in a month (``month``: its first day), and how many are
    compliant: a year's top stories are summed from these, its first and last months'
    days that the range cuts from the copies themselves."""

    month = models.DateField()
    story_id = models.IntegerField()  # (no foreign key: the trigger keeps it)
    n = models.IntegerField()
    compliant = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "story_id"], name="one_story_month")
        ]


class PickupCheck(models.Model):
    """One check of a copy: when, how it was found, the verdict, and what changed.

    ``pickup`` is empty for a page that could not be checked before any copy was
    known there (a submitted URL that does not answer): ``url`` says which.
    ``observation`` names what was looked at (a WARC record, a results line), so
    that recording the same results twice adds nothing.
    """

    pickup = models.ForeignKey(
        Pickup, null=True, blank=True, on_delete=models.CASCADE, related_name="history"
    )
    url = models.CharField(max_length=2000)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    via = models.CharField(max_length=12, choices=Via.choices)
    observation = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OK)
    reason = models.TextField(blank=True)
    compliant = models.BooleanField(null=True)
    coverage = models.FloatField(null=True)
    checks = models.JSONField(default=dict, blank=True)
    changes = models.JSONField(
        default=list, blank=True, help_text='What changed since the check before, e.g. "fixed".'
    )

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pickup", "via", "observation"],
                condition=~Q(observation=""),
                name="one_check_per_observation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_via_display()} {self.at:%Y-%m-%d %H:%M}: {self.url}"


class RecheckAsk(models.Model):
    """A partner's "I fixed it — check again", one row per ask taken: the limits are counted
    over these in a rolling window (``dashboard.partner_views``), not over the copies."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE,
                                related_name="recheck_asks")  # fmt: skip
    pickup = models.ForeignKey(Pickup, on_delete=models.CASCADE, related_name="recheck_asks")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["partner", "at"], name="recheck_ask_partner_at")]


class SiteDecision(models.Model):
    """What an editor decided about a site that carries copies without being a partner's:
    who, when, and why (the site's page lists them, newest first)."""

    class Action(models.TextChoices):
        IGNORE = "ignore", "Ignored: its copies need nothing"
        PARTNER = "partner", "Belongs to a partner"
        INVITE = "invite", "Invited to apply"
        RELIST = "relist", "Listed again"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(max_length=10, choices=Action.choices)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitation = models.ForeignKey(
        "distribution.Invitation", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.site}: {self.get_action_display()}"


class CorrectionWatch(models.Model):
    """One copy after one correction or withdrawal: when its publisher was told (the notice
    or the push went out) and when a check first saw the copy carry the new version (or
    come down). The dashboard's time to correct is read from these."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        WITHDRAWAL = "withdrawal", "Withdrawal"

    pickup = models.ForeignKey(Pickup, on_delete=models.CASCADE, related_name="watches")
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField(default=0, help_text="The correction's version.")
    event_at = models.DateTimeField(help_text="When the story was corrected or withdrawn.")
    told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first notice or push about it went out."
    )
    fixed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a check first saw the copy carry it."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pickup", "kind", "version"], name="one_watch_per_copy_and_change"
            )
        ]
        indexes = [models.Index(fields=["partner", "event_at"], name="watch_partner_event")]

    @property
    def start(self) -> Any:
        """The clock starts when the publisher was told (a copy nobody told: the change)."""
        return self.told_at or self.event_at


class CopyScreenshot(models.Model):
    """The copy as a reader saw it, in Chromium, with the checked elements outlined
    (``newswire check --screenshot``, or the copy page's button): evidence an editor can
    forward. The file is kept under MEDIA_ROOT/screenshots and shown to editors only."""

    pickup = models.ForeignKey(Pickup, on_delete=models.CASCADE, related_name="screenshots")
    taken_at = models.DateTimeField(default=timezone.now)
    image = models.FileField(upload_to="screenshots/%Y/%m/", max_length=300)
    url = models.CharField(max_length=2000)
    # what was outlined: [{"what": "logo", "colour": "#0a7d28"}, ...]
    outlined = models.JSONField(default=list, blank=True)
    requests = models.PositiveIntegerField(default=0)  # fetched through the safe fetcher
    refused = models.PositiveIntegerField(default=0)  # requests the safe fetcher refused

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"screenshot of {self.url} at {self.taken_at:%Y-%m-%d %H:%M}"
