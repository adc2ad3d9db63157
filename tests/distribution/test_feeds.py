from __future__ import annotations

from datetime import timedelta

import feedparser
from django.utils import timezone

from newswire.distribution.models import ApiKey, Delivery
from newswire.wire.models import Story

from ..embargo import assert_embargo_holds


def test_rss_feed_has_full_text_with_attribution_and_no_restricted_photo(
    client, auth, make_story, wire_terms, partner
):
    story = make_story("Council Delays Vote", photo_credit="Jo Smith/Getty Images")
    make_story("Secret Plan", release_at=timezone.now() + timedelta(days=1))
    response = client.get("/feeds/rss/", headers=auth)
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/rss+xml"
    )
    feed = feedparser.parse(response.content)
    assert [e.title for e in feed.entries] == ["Council Delays Vote"]
    content = feed.entries[0].content[0].value
    assert "Paragraph 1 of the council story" in content
    assert "By Grace Nakamura, City Hall Reporter, Plainfield News Service" in content
    assert "This story was first published by Plainfield News Service" in content
    assert wire_terms.logo_url in content and "GettyImages-1.jpg" not in content
    assert f"/beacon/{story.pk}.gif" in content
    assert "private" in response["Cache-Control"] and "Authorization" in response["Vary"]
    assert Delivery.objects.filter(partner=partner, story=story, channel="feed").exists()


def test_atom_feed_and_key_in_url(client, api_key, make_story, wire_terms):
    make_story("Bridge Reopens")
    response = client.get(f"/feeds/atom/?key={api_key}")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/atom+xml"
    )
    feed = feedparser.parse(response.content)
    assert feed.version == "atom10" and feed.entries[0].title == "Bridge Reopens"
    assert "This story was first published by" in feed.entries[0].content[0].value


def test_polling_is_cheap_with_etag_and_last_modified(client, auth, make_story, wire_terms):
    make_story()
    first = client.get("/feeds/rss/", headers=auth)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get("/feeds/rss/", headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = client.get("/feeds/rss/", headers={**auth, "If-Modified-Since": modified})
    assert since.status_code == 304
    make_story("Fresh Story")
    changed = client.get("/feeds/rss/", headers={**auth, "If-None-Match": etag})
    assert changed.status_code == 200 and b"Fresh Story" in changed.content


def test_corrected_story_comes_back_on_top_with_its_note(client, auth, make_story, wire_terms):
    old = make_story("Old Story", release_at=timezone.now() - timedelta(days=3))
    make_story("New Story", release_at=timezone.now() - timedelta(hours=1))
    old.correct(body=old.body.replace("Monday", "Sunday"), note="The protest was on Sunday.")
    feed = feedparser.parse(client.get("/feeds/rss/", headers=auth).content)
    assert [e.title for e in feed.entries] == ["Old Story", "New Story"]
    assert "The protest was on Sunday." in feed.entries[0].content[0].value


def test_feed_refuses_bad_keys_with_json(client, partner, make_story, admin_user):
    make_story("Members Only")
    for headers, status in [({}, 401), ({"Authorization": "Bearer nope.nope"}, 401)]:
        response = client.get("/feeds/rss/", headers=headers)
        assert response.status_code == status and "Members Only" not in response.content.decode()
        assert "detail" in response.json() and "private" in response["Cache-Control"]
    key, raw = ApiKey.issue(partner, "x")
    key.revoke()
    assert client.get(f"/feeds/rss/?key={raw}").status_code == 401
    _, live = ApiKey.issue(partner, "y")
    partner.suspend(by=admin_user)
    response = client.get(f"/feeds/atom/?key={live}")
    assert response.status_code == 403 and "suspended" in response.json()["detail"]


def test_feeds_respect_the_embargo(client, auth, wire_terms):
    assert_embargo_holds(client, list_urls=["/feeds/rss/", "/feeds/atom/"], headers=auth)
    assert Story.objects.count() == 5
