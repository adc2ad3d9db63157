"""A page newswire fetches is read as its reader sees it: with its own site's linked
stylesheets, and with its pictures (a restricted photo re-hosted under another name is
known by its look). Fake sites on 127.0.0.1, reached through the safe fetcher."""

from __future__ import annotations

import io
import ipaddress

import pytest
from PIL import Image as Picture
from PIL import ImageDraw

from newswire.distribution.snippet import snippet_html
from newswire.fetch import FetchPolicy, PageFetcher, SafeClient
from newswire.pickups.check import check_urls
from newswire.pickups.looks import linked_sheets
from newswire.pickups.models import Pickup
from newswire.runtime import this_process
from newswire.wire import models as wire

from ..fakesite import fake_site, html, respond


def fetcher() -> PageFetcher:
    def resolve(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    policy = FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),), resolver=resolve)
    return PageFetcher(SafeClient(policy))


@pytest.fixture(autouse=True)
def _forget():
    """Each test starts with no sheets or pictures kept by the process."""
    this_process().sheets.clear()
    this_process().picture_hashes.clear()


@pytest.fixture
def site():
    with fake_site() as s:
        s.route("/robots.txt", respond(200, b"", content_type="text/plain"))
        yield s


def test_only_the_sites_own_screen_sheets_are_linked():
    body = (b'<link rel="stylesheet" href="/a.css"><link rel="stylesheet" media="print" '
            b'href="/p.css"><link rel="alternate stylesheet" href="/alt.css"><link rel='
            b'"stylesheet" href="https://cdn.other.net/x.css"><link rel="stylesheet" '
            b'href="https://static.copies.test/b.css"><link rel=preload href=/c.css>')
    assert linked_sheets("https://www.copies.test/story", body) == [
        "https://www.copies.test/a.css", "https://static.copies.test/b.css"]


def test_a_logo_hidden_by_the_sites_linked_stylesheet_fails(site, make_story, wire_terms):
    story = make_story()
    page = (f'<html><head><link rel="stylesheet" href="/site.css"></head><body><main>'
            f"<article>{snippet_html(story)}</article></main></body></html>")
    site.route("/copy", html(page))
    url = f"http://copies.test:{site.port}/copy"
    with fetcher() as f:
        [done] = check_urls([url], fetcher=f)  # no stylesheet there yet (404): logo shown
    assert Pickup.objects.get().checks["logo"] is True, done
    site.route("/site.css", respond(200, b"/* theme */ article img { display: none }",
                                    content_type="text/css"))  # fmt: skip
    site.route("/copy2", html(page))
    this_process().sheets.clear()  # the missing sheet was kept for a while: the while is over
    with fetcher() as f:
        list(check_urls([f"http://copies.test:{site.port}/copy2"], fetcher=f))
    second = Pickup.objects.get(url__endswith="/copy2")
    assert second.checks["logo"] is False
    assert "/site.css" in site.paths()


def _photo(size: tuple[int, int]) -> bytes:
    img = Picture.new("RGB", (600, 400), (30, 90, 160))
    draw = ImageDraw.Draw(img)
    for n in range(8):
        draw.ellipse([n * 60, n * 30, n * 60 + 150, n * 30 + 120],
                     fill=(n * 30 % 256, 200 - n * 20, 40 + n * 25))  # fmt: skip
    out = io.BytesIO()
    img.resize(size).save(out, "JPEG", quality=70)
    return out.getvalue()


def test_a_restricted_photo_rehosted_under_another_name_is_known_by_its_look(
    site, make_story, wire_terms
):
    story = make_story(photo_credit="Photo by Ana Ruiz/Getty Images")
    wire.Media.objects.filter(story=story).update(
        url=f"http://wire.test:{site.port}/media/GettyImages-1.jpg")
    story.snapshot()
    site.route("/media/GettyImages-1.jpg", respond(200, _photo((600, 400)),
                                                   content_type="image/jpeg"))  # fmt: skip
    site.route("/uploads/img_9.jpg", respond(200, _photo((300, 200)), content_type="image/jpeg"))
    site.route("/uploads/own.jpg", respond(200, b"\x89PNG not a picture", content_type="image/png"))
    page = (f"<main><article>{snippet_html(story)}<img src=\"/uploads/own.jpg\" alt=\"\">"
            '<figure><img src="/uploads/img_9.jpg" alt=""><figcaption>At the meeting.'
            "</figcaption></figure></article></main>")
    site.route("/copy", html(page))
    with fetcher() as f:
        list(check_urls([f"http://copies.test:{site.port}/copy"], fetcher=f))
    pickup = Pickup.objects.get()
    assert pickup.checks["restricted_media"] is False
    assert "img_9.jpg" in pickup.evidence["restricted_media"]
    assert "GettyImages-1.jpg" in pickup.evidence["restricted_media"]
