from __future__ import annotations

import re

from django.contrib.auth import get_user_model

from newswire.distribution.models import ApiKey
from newswire.partners.models import Partner


def member(partner, username="desk@localdaily.example"):
    user = get_user_model().objects.create_user(username, username, "a-long-password-123")
    partner.members.add(user)
    return user


def test_partner_creates_lists_and_revokes_keys(client, partner, wire_terms):
    client.force_login(member(partner))
    page = client.post("/partner/", {"name": "CMS import"}).content.decode()
    raw = re.search(r'<code id="new-key">([^<]+)</code>', page).group(1)
    assert ApiKey.verify(raw).name == "CMS import"
    assert f"/feeds/rss/?key={raw}" in page
    listing = client.get("/partner/").content.decode()
    assert raw not in listing and raw.split(".")[0] in listing  # the prefix only, from now on
    key = ApiKey.objects.get(name="CMS import")
    client.post(f"/partner/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert client.get("/api/v1/stories", headers={"X-Api-Key": raw}).status_code == 401


def test_partner_cannot_touch_another_partners_key(client, partner):
    other = Partner.objects.create(
        name="Other", website="https://o.example", contact_email="o@o.example"
    )
    key, _ = ApiKey.issue(other, "theirs")
    client.force_login(member(partner))
    assert client.post(f"/partner/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


def test_portal_needs_login_and_a_partner(client, db):
    assert client.get("/partner/")["Location"].startswith("/partner/login/")
    client.force_login(get_user_model().objects.create_user("x", "x@x.example", "pw-123456789"))
    assert "No partner account" in client.get("/partner/").content.decode()


def test_suspended_partner_cannot_make_keys(client, partner, admin_user):
    client.force_login(member(partner))
    partner.suspend(by=admin_user)
    page = client.post("/partner/", {"name": "sneaky"}).content.decode()
    assert "suspended" in page and not ApiKey.objects.filter(name="sneaky").exists()


def test_webhook_url_is_saved(client, partner):
    client.force_login(member(partner))
    client.post("/partner/", {"webhook_url": "https://localdaily.example/hooks/wire"})
    partner.refresh_from_db()
    assert partner.webhook_url == "https://localdaily.example/hooks/wire"


def test_webhook_url_must_be_a_public_address(client, partner):
    client.force_login(member(partner))
    for url in ("http://localhost:5432/", "http://169.254.169.254/latest/meta-data/",
                "http://10.0.0.5/hook", "http://[::ffff:127.0.0.1]/", "ftp://example.org/"):  # fmt: skip
        page = client.post("/partner/", {"webhook_url": url})
        assert page.status_code == 200
        assert (
            "public web addresses only" in page.content.decode()
            or "valid URL" in page.content.decode()
        ), url
        partner.refresh_from_db()
        assert partner.webhook_url == "", url


def test_signing_secret_is_shown_once_and_can_be_rotated(client, partner, settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    client.force_login(member(partner))
    page = client.post("/partner/", {"webhook_url": "http://127.0.0.1:9/hook"}).content.decode()
    partner.refresh_from_db()
    shown = re.search(r'<code id="webhook-secret">([0-9a-f]+)</code>', page).group(1)
    assert shown == partner.webhook_secret
    assert partner.webhook_secret not in client.get("/partner/").content.decode()
    page = client.post("/partner/", {"rotate_secret": "1"}).content.decode()
    partner.refresh_from_db()
    assert partner.webhook_secret != shown
    assert (
        re.search(r'<code id="webhook-secret">([0-9a-f]+)</code>', page).group(1)
        == partner.webhook_secret
    )


def test_the_portal_links_to_the_partners_copies_as_the_dashboard_answers(client, partner):
    """The partners app names no dashboard page: the dashboard answers ``partner_links``
    (newswire/events.py) with the partner's copies, and the portal shows the answer."""
    from django.urls import reverse

    client.force_login(member(partner))
    page = client.get("/partner/").content.decode()
    link = reverse("dashboard:partner_pickups")
    assert f'<a href="{link}">Your copies of our stories</a>: which need a fix, and why.' in page
    assert client.get(link).status_code == 200
