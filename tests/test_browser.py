"""End to end in a real browser (Playwright driving Debian's /usr/bin/chromium).

An outlet applies, an editor approves it in the admin, the partner sets a
password and creates a key, and the feed fetched with that key shows a
published story with its attribution but not an embargoed one. A screenshot
of each page goes to test-results/browser/.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from newswire.partners.models import Application

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(os.environ.get("TEST_RESULTS", "test-results")) / "browser"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed (.ci/run installs it)"
    ),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes between browser steps are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()
        # ORM calls made while Playwright's loop runs get a connection of their own
        # (asgiref's context-local connections); close it, or PostgreSQL keeps a session.
        from django.db import connections

        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def link_in(message, pattern: str) -> str:
    return re.search(pattern, message.body).group(0).split("wire.test", 1)[1]


def test_apply_approve_key_feed(
    live_server, browser_page, make_story, wire_terms, django_user_model
):
    page = browser_page
    base = live_server.url
    make_story("Council Approves Park Budget", photo_credit="Jo Smith/Getty Images")
    make_story("Embargoed Harbour Deal", release_at=timezone.now() + timedelta(days=1))
    django_user_model.objects.create_superuser("editor", "editor@wire.test", "editor-pass-123")

    # 1. an outlet applies
    page.goto(f"{base}/republish/apply/")
    page.fill("#id_outlet", "Harbour Gazette")
    page.fill("#id_website", "https://harbourgazette.example")
    page.fill("#id_country", "Canada")
    page.fill("#id_monthly_readers", "180000")
    page.fill("#id_audience_evidence", "Google Analytics monthly report")
    page.fill("#id_contact_name", "Sam Leclerc")
    page.fill("#id_contact_email", "sam@harbourgazette.example")
    page.check("#id_agreed_to_terms")
    shot(page, "1-application-form")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Thank you")
    shot(page, "2-application-sent")
    page.goto(base + link_in(mail.outbox[0], r"https://wire\.test/republish/verify/\S+/"))
    page.wait_for_selector("text=Address confirmed")
    shot(page, "3-contact-confirmed")

    # 2. an editor vets and approves it in the admin
    app = Application.objects.get()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{base}/admin/partners/application/{app.pk}/change/")
    page.check("#id_site_checked")
    page.check("#id_audience_checked")
    assert page.is_checked("#id_contact_verified")
    page.click("input[name=_save]")
    page.check(f"input[name=_selected_action][value='{app.pk}']")
    page.select_option("select[name=action]", "approve")
    shot(page, "4-admin-queue")
    page.click("button[name=index]")
    page.wait_for_selector("text=Harbour Gazette approved")
    shot(page, "5-admin-approved")

    # 3. the partner sets a password, signs in and creates a key
    page.context.clear_cookies()  # the editor signs out
    page.goto(base + link_in(mail.outbox[-1], r"https://wire\.test/partner/set-password/\S+/\S+/"))
    page.fill("#id_new_password1", "Tide-Lantern-7731")
    page.fill("#id_new_password2", "Tide-Lantern-7731")
    shot(page, "6-set-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/partner/login/")
    page.fill("#id_username", "sam@harbourgazette.example")
    page.fill("#id_password", "Tide-Lantern-7731")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('Harbour Gazette')")
    page.fill("#id_name", "Feed reader")
    page.click("button[name=create]")
    key = page.inner_text("#new-key").strip()
    shot(page, "7-partner-key")

    # 4. the feed with that key
    response = page.goto(f"{base}/feeds/rss/?key={key}")
    assert response.status == 200
    xml = response.text()
    shot(page, "8-feed")
    assert "Council Approves Park Budget" in xml
    assert "This story was first published by Plainfield News Service" in xml
    assert "GettyImages-1.jpg" not in xml
    assert "Embargoed Harbour Deal" not in xml
    assert page.goto(f"{base}/feeds/rss/?key={key[:-2]}xx").status == 401
