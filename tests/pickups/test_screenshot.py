"""`newswire check --screenshot` and the copy page's screenshot: Chromium shows the copy,
every request answered by the safe fetcher, the checked elements outlined."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from newswire.distribution.snippet import snippet_html
from newswire.fetch import FetchPolicy, PageFetcher, SafeClient
from newswire.pickups import screenshot
from newswire.pickups.check import check_urls
from newswire.pickups.models import Pickup

from ..fakesite import fake_site, html, respond

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(),
                                reason="Debian's chromium is not installed (.ci/run installs it)")


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as s:
        s.route("/robots.txt", respond(200, b"", content_type="text/plain"))
        yield s


def test_a_screenshot_outlines_what_the_checks_found(site, make_story, wire_terms, client,
                                                     admin_user):  # fmt: skip
    pytest.importorskip("playwright")
    story = make_story()
    site.route("/copy", html(f"<main><article>{snippet_html(story)}</article>"
                             '<img src="http://10.0.0.1/tracker.gif"></main>'))
    url = f"http://127.0.0.1:{site.port}/copy"
    policy = FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),))
    with PageFetcher(SafeClient(policy)) as f:
        list(check_urls([url], fetcher=f))
    pickup = Pickup.objects.get()
    shot = screenshot.take(pickup)
    assert Path(shot.image.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert {m["what"] for m in shot.outlined} >= {"byline"}
    assert shot.refused >= 1  # the inside address was never loaded by the browser
    client.force_login(admin_user)
    page = client.get(f"/dashboard/copies/{pickup.pk}/").content.decode()
    assert "As a reader saw it" in page and f"/screenshots/{shot.pk}.png" in page
    alt = page.split('alt="Screenshot of', 1)[1].split('"', 1)[0]
    assert "<" not in alt and "UTC" in alt  # words, not markup, in the attribute
    image = client.get(f"/dashboard/copies/{pickup.pk}/screenshots/{shot.pk}.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content)[:4] == b"\x89PNG"
    client.logout()
    assert client.get(f"/dashboard/copies/{pickup.pk}/screenshots/{shot.pk}.png"
                      ).status_code == 302  # editors only


def test_without_chromium_the_screenshot_says_what_is_missing(settings, make_story):
    settings.NEWSWIRE_CHROMIUM = "/nowhere/chromium"
    assert "Chromium at /nowhere/chromium" in (screenshot.unavailable() or "")
    pickup = Pickup(url="https://copy.example/a")
    with pytest.raises(screenshot.ScreenshotError, match="apt install chromium"):
        screenshot.take(pickup)
