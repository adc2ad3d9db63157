"""The cache never shows what is no longer true: pages are keyed by what they show, and
short-lived values expire at the next embargo's release time (NEWSWIRE_CACHE_SECONDS on)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from newswire.wire.models import Byline, Media, Reporter, Story


@pytest.fixture
def cache_on(settings):
    settings.NEWSWIRE_CACHE_SECONDS = 30


def test_story_page_follows_bylines_media_reporters_and_corrections(client, make_story, cache_on):
    story = make_story()
    url = f"/stories/{story.slug}/"
    assert "Grace Nakamura" in client.get(url).content.decode()
    reporter = Reporter.objects.get(name="Grace Nakamura")
    reporter.name = "Grace N. Nakamura"
    reporter.save()
    assert "Grace N. Nakamura" in client.get(url).content.decode()
    other, _ = Reporter.objects.get_or_create(name="Kwame Thornbury")
    Byline.objects.create(story=story, reporter=other, position=1)
    assert "Kwame Thornbury" in client.get(url).content.decode()
    Media.objects.create(story=story, url="https://plainfieldnews.org/m.jpg", caption="Zq caption")
    assert "Zq caption" in client.get(url).content.decode()
    story.refresh_from_db()
    story.correct(body=story.body.replace("Monday", "Sunday"), note="Zq it was Sunday")
    assert "Zq it was Sunday" in client.get(url).content.decode()


def test_feed_and_api_follow_a_correction_and_a_withdrawal(client, make_story, auth, cache_on):
    story = make_story()
    for url in ("/feeds/rss/", "/api/v1/stories"):
        assert story.headline in client.get(url, headers=auth).content.decode()
    story.correct(body=story.body, headline="Zq Corrected Headline", note="Headline fixed.")
    story.refresh_from_db()
    for url in ("/feeds/rss/", "/api/v1/stories"):
        assert "Zq Corrected Headline" in client.get(url, headers=auth).content.decode(), url
    story.withdraw()
    for url in ("/feeds/rss/", "/api/v1/stories"):
        assert "Zq Corrected Headline" not in client.get(url, headers=auth).content.decode(), url


def test_an_embargo_released_by_the_clock_shows_at_once(client, make_story, auth, cache_on):
    make_story("Already Public Story")
    soon = timezone.now() + timedelta(seconds=1.5)
    embargoed = make_story("Zq Embargoed Until Soon", status=Story.Status.SCHEDULED,
                           release_at=soon)  # fmt: skip
    for url in ("/feeds/rss/", "/api/v1/stories"):
        assert embargoed.headline not in client.get(url, headers=auth).content.decode()
    time.sleep(max(0.0, (soon - timezone.now()).total_seconds()) + 0.1)
    for url in ("/feeds/rss/", "/api/v1/stories"):
        assert embargoed.headline in client.get(url, headers=auth).content.decode(), url
