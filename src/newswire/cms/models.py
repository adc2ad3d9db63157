"""Where the wire's stories come from: the newsroom's CMS, followed by polling.

A :class:`StorySource` is one feed, WordPress site or ninjs endpoint. Each item the CMS
gives (a WordPress post, an RSS item, a ninjs object) is one :class:`Item`, keyed by
the CMS's own id, and maps to one story: the key is unique per source and the story's
``uri`` is made from it, so two polls (or two workers) can never make two stories.
What went wrong on a source is kept as a :class:`Fault`, with time, place and reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from ..wire.models import Story, http_url

#: the salt of the sources' ping signatures
PING_SALT = "newswire.source-ping"


def default_every() -> int:
    return int(getattr(settings, "NEWSWIRE_SOURCE_EVERY", 300))


class StorySource(models.Model):
    class Kind(models.TextChoices):
        RSS = "rss", "RSS feed"
        ATOM = "atom", "Atom feed"
        WORDPRESS = "wordpress", "WordPress site (REST API)"
        NINJS = "ninjs", "ninjs endpoint"

    name = models.CharField(max_length=200, blank=True)
    url = models.URLField(
        max_length=1000,
        unique=True,
        validators=[http_url],
        help_text="The feed, the WordPress site's address (or its /wp-json/ root), or the "
        "ninjs endpoint.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    publish = models.BooleanField(
        default=False,
        help_text="New items are published on the wire at once; otherwise they arrive as "
        "drafts for an editor.",
    )
    active = models.BooleanField(default=True)
    every = models.PositiveIntegerField(default=default_every, help_text="Seconds between polls.")
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_ok_at = models.DateTimeField(null=True, blank=True, editable=False)
    # conditional requests (RSS, Atom, ninjs) and the WordPress cursor
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    modified_after = models.CharField(
        max_length=40, blank=True, editable=False,
        help_text="WordPress: the newest modified_gmt of the last complete poll.",
    )  # fmt: skip
    swept_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="WordPress: when the list of posts was last compared with ours (deletions).",
    )  # fmt: skip
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # a poll asked for by the CMS's ping (see ping_url) and not started yet: pings while it
    # waits queue no second one
    ping_queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # WordPress: a user and application password (kept as the push's are: Fernet, never in
    # clear, never shown or logged), with which scheduled posts arrive, embargoed
    user = models.CharField(
        max_length=200, blank=True,
        help_text="WordPress: a user whose application password lets newswire read scheduled "
        "posts (they arrive embargoed until their time). Empty: published posts only.",
    )  # fmt: skip
    password_token = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name", "url"]

    def set_password(self, plain: str) -> None:
        from ..distribution.secrets import seal

        self.password_token = seal(plain) if plain else ""

    def password(self) -> str:
        """The application password in clear (raises ``SecretLost`` when this server's key
        cannot read it)."""
        from ..distribution.secrets import unseal

        return unseal(self.password_token) if self.password_token else ""

    def signed_in(self) -> bool:
        return bool(self.user and self.password_token)

    def ping_token(self) -> str:
        """The signature in the source's ping address: made from ``SECRET_KEY`` (a new key
        makes new addresses), so only who was given the address can ask for a poll."""
        return signing.Signer(salt=PING_SALT).sign(str(self.pk)).rsplit(":", 1)[1]

    def ping_url(self) -> str:
        """Where the newsroom's CMS says "a post changed": a POST polls the source at once
        (``docs/sources.md``: a WordPress mu-plugin that calls it on ``save_post``)."""
        path = reverse("cms:ping", kwargs={"source_id": self.pk, "token": self.ping_token()})
        return settings.SITE_URL.rstrip("/") + path

    def __str__(self) -> str:
        return self.name or self.url

    def api_root(self) -> str:
        """WordPress: the REST API's root (``…/wp-json/``)."""
        url = self.url.split("?", 1)[0].split("#", 1)[0]
        if "/wp-json" in url:
            return url[: url.index("/wp-json")] + "/wp-json/"
        return url.rstrip("/") + "/wp-json/"

    def due(self, now: Any = None) -> bool:
        return self.active and self.next_poll_at <= (now or timezone.now())

    def schedule(self, now: Any = None) -> None:
        self.next_poll_at = (now or timezone.now()) + timedelta(seconds=self.every)


class Item(models.Model):
    """One item of a source (the CMS's id) and the story it became."""

    class Flag(models.TextChoices):
        NONE = "", "—"
        DELETED = "deleted", "Deleted in the CMS"
        UNPUBLISHED = "unpublished", "Unpublished in the CMS"
        REVIEWED = "reviewed", "Reviewed by an editor"

    source = models.ForeignKey(StorySource, on_delete=models.CASCADE, related_name="items")
    cms_id = models.CharField(max_length=300, help_text="WordPress post id, RSS guid, ninjs uri.")
    story = models.OneToOneField(Story, on_delete=models.CASCADE, related_name="cms_item")
    text_hash = models.CharField(max_length=64, editable=False, help_text="Headline and body.")
    meta = models.JSONField(default=dict, editable=False, help_text="Everything else, as given.")
    cms_modified = models.CharField(max_length=40, blank=True, editable=False)
    first_seen = models.DateTimeField(default=timezone.now, editable=False)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)
    metadata_change = models.CharField(
        max_length=300, blank=True, editable=False,
        help_text="The last change the CMS made outside the text (not sent as a correction).",
    )  # fmt: skip
    waiting_for_author = models.BooleanField(
        default=False, editable=False,
        help_text="Kept as a draft because the CMS gave no author; published when it does.",
    )  # fmt: skip
    flag = models.CharField(max_length=12, choices=Flag.choices, blank=True, db_index=True)
    flagged_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-changed_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "cms_id"], name="one_item_per_cms_id")
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.cms_id}"


class Fault(models.Model):
    """Something a poll could not use: the whole source (HTTP 500, not a feed) or one item."""

    source = models.ForeignKey(StorySource, on_delete=models.CASCADE, related_name="faults")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    where = models.CharField(max_length=300, help_text="The URL, or the item (post 12, entry 3).")
    reason = models.TextField()
    #: an item's fault: the item as it was (its id, its modified time or text) and the reason,
    #: hashed, so that each poll does not add the same fault again until the item changes
    item_key = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
