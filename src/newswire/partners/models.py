"""Applications to republish, the decisions editors take on them, and the partners they make."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ..wire.models import http_url


def host_of(url: str) -> str:
    host = (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    return host.removeprefix("www.")


class Application(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for vetting"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    outlet = models.CharField("outlet name", max_length=200)
    website = models.URLField(max_length=300, validators=[http_url])
    country = models.CharField(max_length=100)
    monthly_readers = models.PositiveIntegerField(help_text="Unique readers a month.")
    audience_evidence = models.TextField(
        "how the audience is measured", max_length=2000,
        help_text="e.g. Google Analytics, Comscore, print circulation audit; a link helps.",
    )  # fmt: skip
    contact_name = models.CharField("editorial contact", max_length=200)
    contact_email = models.EmailField("contact e-mail", max_length=254)
    agreed_to_terms = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    submitted_from = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # the vetting checklist
    site_checked = models.BooleanField(
        "site reachable and publishing news", default=False,
        help_text="An editor opened the site and found current news on it.",
    )  # fmt: skip
    audience_checked = models.BooleanField("audience evidence checked", default=False)
    contact_verified = models.BooleanField(
        "contact verified", default=False,
        help_text="Set when the applicant follows the link in the confirmation e-mail, "
        "or by an editor who reached them otherwise.",
    )  # fmt: skip
    notes = models.TextField("editors' notes", blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    partner = models.OneToOneField(
        "Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.outlet} ({self.get_status_display()})"

    @property
    def checklist_complete(self) -> bool:
        return self.site_checked and self.audience_checked and self.contact_verified

    def checklist_missing(self) -> list[str]:
        labels = {
            "site_checked": "site reachable and publishing news",
            "audience_checked": "audience evidence checked",
            "contact_verified": "contact verified",
        }
        return [label for name, label in labels.items() if not getattr(self, name)]

    @transaction.atomic
    def approve(self, by: Any) -> Partner:
        """Make this applicant a partner (its website's host becomes its first domain)."""
        if self.status == self.Status.APPROVED and self.partner:
            return self.partner
        partner = Partner.objects.create(
            name=self.outlet,
            website=self.website,
            country=self.country,
            contact_email=self.contact_email,
        )
        host = host_of(self.website)
        if host:
            PartnerDomain.objects.get_or_create(domain=host, defaults={"partner": partner})
        self.partner = partner
        self.status = self.Status.APPROVED
        self.save(update_fields=["partner", "status"])
        Decision.objects.create(
            application=self, partner=partner, action=Decision.Action.APPROVE, by=by
        )
        return partner

    @transaction.atomic
    def reject(self, by: Any, reason: str) -> None:
        self.status = self.Status.REJECTED
        self.save(update_fields=["status"])
        Decision.objects.create(
            application=self, action=Decision.Action.REJECT, reason=reason, by=by
        )


class Partner(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    name = models.CharField(max_length=200)
    website = models.URLField(max_length=300, validators=[http_url])
    country = models.CharField(max_length=100, blank=True)
    contact_email = models.EmailField(max_length=254)
    webhook_url = models.URLField(
        max_length=500,
        blank=True,
        validators=[http_url],
        help_text="Where correction notices are POSTed as signed JSON.",
    )
    webhook_secret = models.CharField(max_length=64, default="", blank=True, editable=False)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="partners")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def rotate_webhook_secret(self) -> None:
        """A new signing secret; webhooks are signed with it from now on."""
        self.webhook_secret = secrets.token_hex(32)
        self.save(update_fields=["webhook_secret"])

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.webhook_secret:
            self.webhook_secret = secrets.token_hex(32)
        super().save(*args, **kwargs)

    @property
    def active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @transaction.atomic
    def suspend(self, by: Any, reason: str = "") -> None:
        self.status = self.Status.SUSPENDED
        self.save(update_fields=["status"])
        Decision.objects.create(partner=self, action=Decision.Action.SUSPEND, reason=reason, by=by)

    @transaction.atomic
    def reinstate(self, by: Any, reason: str = "") -> None:
        self.status = self.Status.ACTIVE
        self.save(update_fields=["status"])
        Decision.objects.create(
            partner=self, action=Decision.Action.REINSTATE, reason=reason, by=by
        )


class PartnerDomain(models.Model):
    """A host the partner publishes on: tells its pickups from unauthorised ones."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(
        max_length=253, unique=True, help_text="e.g. localdaily.example (no www.)"
    )

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.domain = host_of(self.domain) or self.domain.lower()
        super().save(*args, **kwargs)


class Decision(models.Model):
    """Who decided what about an application or partner, when and why."""

    class Action(models.TextChoices):
        APPROVE = "approve", "Approved"
        REJECT = "reject", "Rejected"
        SUSPEND = "suspend", "Suspended"
        REINSTATE = "reinstate", "Reinstated"

    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        who = self.by.get_username() if self.by else "system"
        return f"{self.get_action_display()} by {who} on {self.at:%Y-%m-%d %H:%M}"
