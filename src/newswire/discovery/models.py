"""What discovery keeps: the partners' feeds and sitemaps it reads (:class:`WatchedFeed`),
when each partner domain was last explored for them (:class:`DomainWatch`), and each
host's turn (:class:`HostTurn`). The feeds newswire serves to partners are
``distribution.feeds``; the CMS sources stories come from are ``cms.StorySource``."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from ..wire.models import http_url


class Via(models.TextChoices):
    """How a page came to be checked (a copy keeps how it was first found)."""

    BEACON = "beacon", "Beacon hit"
    PARTNER_FEED = "partner_feed", "Partner feed"
    SITEMAP = "sitemap", "Sitemap"
    SUBMITTED = "submitted", "Submitted URL"
    WARC_SCAN = "warc_scan", "WARC scan"
    SPARK = "spark", "Spark results"
    RECHECK = "recheck", "Re-check"
    PARTNER = "partner", "Asked by the partner"
    WORDPRESS = "wordpress", "Pushed to the partner's WordPress"


class HostTurn(models.Model):
    """When newswire may next send a request to a host (one a second, across all workers)."""

    host = models.CharField(max_length=253, unique=True)
    next_at = models.DateTimeField(default=timezone.now)


class WatchedFeed(models.Model):
    """A partner's feed or sitemap that newswire reads for new articles (each is then
    checked). Not to be confused with the feeds newswire serves (``distribution.feeds``)."""

    class Kind(models.TextChoices):
        FEED = "feed", "RSS or Atom feed"
        SITEMAP = "sitemap", "Sitemap (news sitemap, sitemap index)"

    domain = models.ForeignKey(
        "partners.PartnerDomain", on_delete=models.CASCADE, related_name="watched_feeds"
    )
    url = models.URLField(max_length=1000, validators=[http_url])
    kind = models.CharField(max_length=10, choices=Kind.choices)
    found_by = models.CharField(
        max_length=10, default="editor", editable=False,
        help_text="editor, or discovered (the home page's feed links, robots.txt Sitemap: lines)",
    )  # fmt: skip
    every = models.PositiveIntegerField(default=3600, help_text="Seconds between reads.")
    next_read_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_read_at = models.DateTimeField(null=True, blank=True, editable=False)
    etag = models.CharField(max_length=300, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    articles = models.PositiveIntegerField(
        default=0, editable=False, help_text="Articles queued for a check so far."
    )
    last_error = models.TextField(blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["domain", "url"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "url"], name="one_watched_feed_url")
        ]

    def __str__(self) -> str:
        return self.url


class DomainWatch(models.Model):
    """When a partner domain's feeds and sitemaps were last looked for, and what went wrong."""

    domain = models.OneToOneField(
        "partners.PartnerDomain", on_delete=models.CASCADE, related_name="watch"
    )
    discovered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "domain watches"
