"""API keys, what each partner received, beacon hits, rate windows and correction notices."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone

PREFIX_BYTES = 6  # 12 hex characters: looked up, shown in lists
SECRET_BYTES = 32


def hash_secret(secret: str) -> str:
    # The secret is 256 random bits, so a plain SHA-256 is enough (a slow password
    # hash protects guessable secrets; this one is not guessable) and costs
    # microseconds per request.
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ApiKey(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="keys")
    name = models.CharField(max_length=100, help_text='What it is for, e.g. "CMS feed import".')
    prefix = models.CharField(max_length=2 * PREFIX_BYTES, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, partner: Any, name: str, by: Any = None) -> tuple[ApiKey, str]:
        """Create a key; return it and the full ``prefix.secret`` string, which is never stored."""
        prefix = secrets.token_hex(PREFIX_BYTES)
        secret = secrets.token_urlsafe(SECRET_BYTES)
        key = cls.objects.create(
            partner=partner, name=name or "key", prefix=prefix, secret_hash=hash_secret(secret),
            created_by=by if by is not None and by.is_authenticated else None,
        )  # fmt: skip
        return key, f"{prefix}.{secret}"

    @classmethod
    def verify(cls, raw: str | None) -> ApiKey:
        """Return the live key for ``raw`` or raise :class:`KeyRejected` (401 or 403) saying why."""
        if not raw:
            raise KeyRejected(
                401, "An API key is required: send 'Authorization: Bearer KEY' or add ?key=KEY."
            )
        prefix, dot, secret = raw.strip().partition(".")
        if not dot or not prefix or not secret or "\x00" in raw or len(raw) > 200:
            raise KeyRejected(401, "Malformed API key: it looks like PREFIX.SECRET.")
        key = cls.lookup(prefix)
        # compare against a dummy hash when the prefix is unknown, so timing tells nothing
        expected = key.secret_hash if key else hash_secret("x")
        if not hmac.compare_digest(expected, hash_secret(secret)) or key is None:
            raise KeyRejected(401, "Unknown API key.")
        if key.revoked_at is not None:
            raise KeyRejected(401, f"This API key was revoked on {key.revoked_at:%Y-%m-%d}.")
        if not key.partner.active:
            raise KeyRejected(403, "This partner's access is suspended; contact the wire.")
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=key.pk).update(last_used_at=now)  # at most one write a minute
            cache.delete(f"newswire:apikey:{prefix}")  # the kept copy has the old time
        return key

    @classmethod
    def lookup(cls, prefix: str) -> ApiKey | None:
        """The key (with its partner) for a prefix, kept ``NEWSWIRE_CACHE_SECONDS``.

        Saving a key or its partner (revoking, suspending) drops the entry at once in
        the process that saves it; other web workers follow within those seconds, or
        at once with a shared cache (``CACHE_URL``).
        """
        from ..wire.cache import short_lived

        def find() -> ApiKey | Literal[False]:  # False: known not to exist (None: not kept)
            return cls.objects.select_related("partner").filter(prefix=prefix).first() or False

        return short_lived(f"newswire:apikey:{prefix}", find) or None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    @property
    def live(self) -> bool:
        return self.revoked_at is None


class RateWindow(models.Model):
    """Requests per key per minute (in the database, so all web workers share the count)."""

    prefix = models.CharField(max_length=2 * PREFIX_BYTES)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "window"], name="one_rate_window")]


class Delivery(models.Model):
    """A partner received a story (feed, API or snippet): who to tell when it is corrected."""

    class Channel(models.TextChoices):
        FEED = "feed", "Feed"
        API = "api", "API"
        WORDPRESS = "wordpress", "Pushed to its WordPress"

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="deliveries"
    )
    story = models.ForeignKey("wire.Story", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    first_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["partner", "story"], name="one_delivery")]

    @classmethod
    def record_once(cls, partner_id: int, stories: list[Any], channel: str, state: str) -> None:
        """:meth:`record`, skipped when this partner was already recorded for this ``state``
        (a feed fingerprint, an API page): polling what did not change writes nothing."""
        seen = f"newswire:delivered:{channel}:{partner_id}:{state}"
        if not cache.get(seen):
            cls.record(partner_id, stories, channel)
            cache.set(seen, True, 24 * 3600)

    @classmethod
    def record(cls, partner_id: int, stories: list[Any], channel: str) -> None:
        """Note that a partner received these stories (or story ids); a repeat is ignored."""
        Delivery.objects.bulk_create(
            [
                Delivery(partner_id=partner_id, story_id=getattr(s, "pk", s), channel=channel)
                for s in stories
            ],
            ignore_conflicts=True,
        )


class BeaconHit(models.Model):
    """Views of one copy of a story (the page that showed the beacon) on one day.

    One row per (story, page, day) with a count, not a row per view: a popular copy
    costs one UPDATE per view, and "pages showing the story" is a count of rows.
    """

    story = models.ForeignKey("wire.Story", on_delete=models.CASCADE, related_name="beacon_hits")
    page_url = models.CharField(
        max_length=2000, blank=True, help_text="The Referer: the page showing the copy."
    )
    page_key = models.CharField(max_length=40, editable=False)  # SHA-1 of page_url, for the index
    day = models.DateField(db_index=True)
    hits = models.PositiveIntegerField(default=1)
    client = models.CharField(
        max_length=32, blank=True, editable=False, help_text="Keyed hash of the first viewer's IP."
    )
    user_agent = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True, help_text="First view.")
    last_at = models.DateTimeField(default=timezone.now, help_text="Latest view.")

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["story", "page_key", "day"], name="one_beacon_row_per_page_and_day"
            )
        ]
        indexes = [
            models.Index(fields=["client", "day"], name="beacon_client_day"),
            # the dashboard's count of pages and views over a range of days, read from the index
            models.Index(fields=["day", "hits"], name="beacon_day_hits"),
        ]


class Sending(models.Model):
    """What every notice to a partner keeps of its sending: status, tries, the last error."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Being sent (or cut off mid-send: sent again with the same id)"
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed, gave up"
        HELD = "held", "Held until the story is public"
        CANCELLED = "cancelled", "Not sent: the story was withdrawn"

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    delivery_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text="Sent with every try (webhook: X-Newswire-Delivery; e-mail: Message-ID), so "
        "a receiver can drop a repeat.",
    )

    class Meta:
        abstract = True


class CorrectionNotice(Sending):
    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="notices"
    )
    version = models.ForeignKey(
        "wire.StoryVersion", on_delete=models.CASCADE, related_name="notices"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "version", "channel"], name="one_notice_per_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.partner}: {self.version}"


class ComplianceNotice(Sending):
    """An editor's e-mail to a partner about its copies that miss the terms (drafted on the
    dashboard, edited, then sent and retried like a correction notice)."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="compliance_notices"
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    pickups = models.JSONField(default=list, blank=True, help_text="The copies it lists (ids).")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} (to {self.partner})"


class Invitation(Sending):
    """An editor's e-mail inviting a site that republished our stories without asking to
    apply as a partner: the terms and the application link (sent and retried like the
    other notices)."""

    host = models.CharField(max_length=253, help_text="The site invited.")
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.host} ({self.to})"


class WordPressSite(models.Model):
    """A partner's WordPress, where newswire creates, corrects and takes down its stories
    through the REST API with an application password (kept encrypted: ``secrets``)."""

    class Arrive(models.TextChoices):
        DRAFT = "draft", "as drafts (the partner publishes them)"
        PUBLISH = "publish", "published at once"

    class Withdraw(models.TextChoices):
        DRAFT = "draft", "back to a draft"
        TRASH = "trash", "to the trash"

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, related_name="wordpress"
    )
    url = models.URLField(max_length=500, help_text="The site's address (https://…).")
    user = models.CharField(max_length=150)
    password_token = models.TextField(editable=False)  # Fernet: never in clear
    arrive_as = models.CharField(max_length=10, choices=Arrive.choices, default=Arrive.DRAFT)
    desks = models.JSONField(default=list, blank=True, help_text="Only these desks (empty: all).")
    withdraw_as = models.CharField(max_length=10, choices=Withdraw.choices, default=Withdraw.DRAFT)
    connected_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # the SEO plugins' post meta the site takes through its REST API (asked at connect):
    # the canonical link or noindex the terms ask for is set only where it is taken
    seo_meta = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = "partner's WordPress"
        verbose_name_plural = "partners' WordPress sites"

    def seo_words(self, asked: str) -> str:
        """What the site does with the canonical link or noindex the terms ask for
        (``asked``: the terms' ``canonical`` rule), in words for the partner and the admin."""
        if not asked:
            return ""
        wanted = "a canonical link" if asked in ("link", "either") else "noindex"
        if set(self.seo_meta or []):
            plugins = sorted({"Yoast SEO" if k.startswith("_yoast") else "Rank Math"
                              for k in self.seo_meta})  # fmt: skip
            return f"Posts get {wanted} through {' and '.join(plugins)}, as our terms ask."
        return (f"Our terms ask each copy for {wanted}, and this site does not take one "
                "through its REST API: WordPress drops it. Set it on each post yourself, or "
                "open Yoast SEO's or Rank Math's fields to the REST API (we send a small "
                "plugin, newswire-seo-meta.php, that does only that); until then the "
                "copies' canonical check fails.")

    def __str__(self) -> str:
        return f"{self.partner}: {self.url}"

    def set_password(self, plain: str) -> None:
        from .secrets import seal

        self.password_token = seal(plain)

    def password(self) -> str:
        from .secrets import unseal

        return unseal(self.password_token)

    def wants(self, story: Any) -> bool:
        return not self.desks or story.desk in self.desks

    @property
    def site_key(self) -> str:
        return site_key(self.url)


def is_web_link(link: str) -> bool:
    """Whether a link a site gave is a web address newswire may show as an href."""
    from ..fetch import url_problem

    return link.lower().startswith(("http://", "https://")) and url_problem(link) is None


def site_key(url: str) -> str:
    """A WordPress site as its posts belong to it: its address, scheme and host in lower
    case, without the trailing slash (``https://News.example/`` is ``https://news.example``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"[:500]


class WordPressPost(models.Model):
    """One story on one partner's WordPress: the post newswire made, and what it carries."""

    class State(models.TextChoices):
        PENDING = "pending", "Not pushed yet"
        LIVE = "live", "On the site"
        HELD = "held", "Correction held: the partner edited the post"
        DOWN = "down", "Taken down (withdrawn)"
        FAILED = "failed", "Failed, will retry"
        GAVE_UP = "gave_up", "Failed, gave up"

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="wordpress_posts"
    )
    story = models.ForeignKey("wire.Story", on_delete=models.CASCADE, related_name="wp_posts")
    # the site the post was made on (WordPressSite.site_key): a post id means something only
    # there, so a later connection to another site never acts on this post
    site_url = models.CharField(max_length=500, blank=True, editable=False)
    # a push at work on this post until then: a second push at the same time waits its turn
    # instead of making a second post (the claim is one UPDATE, atomic on every database)
    busy_until = models.DateTimeField(null=True, blank=True, editable=False)
    post_id = models.PositiveBigIntegerField(null=True, blank=True)
    link = models.URLField(max_length=2000, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="The story version it carries.")
    modified_gmt = models.CharField(max_length=40, blank=True, editable=False)
    pushed_text = models.CharField(
        blank=True, editable=False, max_length=64,
        help_text="A digest of the title and text the post had after newswire's last "
        "push, as WordPress stored them: the partner edited the post when they differ.",
    )  # fmt: skip
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "story", "site_url"], name="one_wp_post_per_story_and_site"
            )
        ]

    def __str__(self) -> str:
        return f"{self.story} on {self.partner} ({self.get_state_display()})"

    @property
    def web_link(self) -> str:
        """The post's link when it is a web address (an old row's other scheme: none)."""
        return self.link if is_web_link(self.link) else ""


class PushLog(models.Model):
    """Every push, update, take-down, check and failure, per partner: its delivery log."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="push_log"
    )
    story = models.ForeignKey(
        "wire.Story", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20)  # connect, create, update, take down, held, …
    ok = models.BooleanField(default=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.partner}: {self.action}"


class WithdrawalNotice(Sending):
    """A story withdrawn, told to a partner who received it, with the editor's reason (by
    e-mail and, if it gave one, its webhook), sent and retried like a correction notice;
    held while the story's embargo runs."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="withdrawal_notices"
    )
    story = models.ForeignKey(
        "wire.Story", on_delete=models.CASCADE, related_name="withdrawal_notices"
    )
    channel = models.CharField(max_length=10, choices=CorrectionNotice.Channel.choices)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "story", "channel"], name="one_withdrawal_notice"
            )
        ]

    def __str__(self) -> str:
        return f"withdrawal of {self.story} to {self.partner} ({self.channel})"
