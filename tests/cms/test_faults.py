"""Sources that misbehave: each fault is recorded on its source with time, place and reason;
the other sources go on, nothing already imported is touched, a killed poll leaves whole
stories or none, two polls at once never make two stories, and private hosts are reachable
by sources only when the operator says so."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from newswire.cms import store as store_module
from newswire.cms.models import Fault, Item, StorySource
from newswire.cms.poll import poll
from newswire.wire import stories as stories_module
from newswire.wire.models import Story

from ..fakesite import drip, endless, html, respond
from .fakecms import rss

WP_ERROR = {"code": "rest_no_route", "message": "No route was found matching the URL and request method.",
            "data": {"status": 404}}  # fmt: skip

BAD = {
    "http_500": (respond(500, b"<h1>Internal Server Error</h1>"), "HTTP 500"),
    "html": (html("<h1>Welcome to our newsroom</h1>"), "HTML page, not a feed"),
    "wp_error": (respond(404, json.dumps(WP_ERROR).encode(), "application/json"),
                 "WordPress error rest_no_route"),
    "wp_error_200": (respond(200, json.dumps(WP_ERROR).encode(), "application/json"),
                     "WordPress error rest_no_route"),
    "huge": (endless(100 * 1024 * 1024, declare=False), "over the"),
    "slow": (drip(30), "time"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_answer_is_recorded_and_the_other_sources_go_on(case, site, wp, settings):
    handler, reason = BAD[case]
    settings.NEWSWIRE_SOURCE_TIMEOUT = 1.5
    settings.NEWSWIRE_SOURCE_MAX_BYTES = 4 * 1024 * 1024
    wp.add(1)
    good = StorySource.objects.create(url=wp.url, kind="wordpress", publish=True)
    poll(good)
    before = list(Story.objects.values_list("pk", "body", "updated_at"))
    kind = "wordpress" if case.startswith("wp_") else "rss"
    path = "/broken/wp-json/wp/v2/posts" if kind == "wordpress" else "/broken/feed"
    site.route(path, handler)
    bad = StorySource.objects.create(url=f"{site.url}/broken/" + ("" if kind == "wordpress" else "feed"),
                                kind=kind)  # fmt: skip
    wp.add(2)
    results = [poll(s) for s in (bad, good)]
    assert reason in results[0].error
    bad.refresh_from_db()
    assert reason in bad.last_error and bad.last_error_at is not None and bad.last_ok_at is None
    fault = Fault.objects.get(source=bad)
    assert reason in fault.reason and fault.where.startswith(site.url)
    assert results[1].created == 1 and not results[1].error  # the other source went on
    assert set(before) <= set(Story.objects.values_list("pk", "body", "updated_at"))


def test_a_source_that_recovers_clears_its_error(site, wire_terms):
    site.route("/feed", respond(503, b"down"))
    source = StorySource.objects.create(url=f"{site.url}/feed", kind="rss")
    assert poll(source).error
    site.route("/feed", respond(200, rss([{"n": 1}]), "application/rss+xml"))
    done = poll(source)
    source.refresh_from_db()
    assert (done.created, source.last_error) == (1, "") and source.last_ok_at is not None
    assert Fault.objects.filter(source=source).count() == 1  # the old fault stays in the record


@pytest.mark.django_db(transaction=True)
def test_a_poll_killed_half_way_leaves_whole_stories_and_its_cursor(wp, wp_source, monkeypatch):
    for n in range(1, 6):
        wp.add(n)
    real = stories_module.set_media
    calls = []

    def dies_on_the_third(story, media, terms, **kw):
        calls.append(story.pk)
        if len(calls) == 3:
            raise KeyboardInterrupt  # the worker is killed in the middle of a story
        return real(story, media, terms, **kw)

    monkeypatch.setattr(stories_module, "set_media", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        poll(wp_source)
    assert Story.objects.count() == Item.objects.count() == 2
    assert all(s.bylines.exists() and s.media.exists() for s in Story.objects.all())
    wp_source.refresh_from_db()
    assert wp_source.modified_after == ""  # the next poll starts from the same place
    monkeypatch.setattr(stories_module, "set_media", real)
    done = poll(wp_source)
    assert (done.created, done.unchanged) == (3, 2)
    assert Story.objects.count() == Item.objects.count() == 5


def test_two_polls_racing_over_a_new_item_make_one_story(wp, wp_source, monkeypatch):
    """The race, made to happen: the second poll looks for the item (and its story) before
    the first one has stored them, then finds the story's uri taken when it inserts; its
    transaction is rolled back whole and the item read again, as stored by the first."""
    wp.add(1)
    poll(wp_source)
    real_filter = Item.objects.select_for_update
    looks = []

    class Blind:
        def filter(self, **kw):
            looks.append(kw)
            return Item.objects.none() if len(looks) == 1 else real_filter().filter(**kw)

    monkeypatch.setattr(Item.objects, "select_for_update", lambda: Blind())
    monkeypatch.setattr(store_module, "story_with_uri", lambda uri: None)
    Item.objects.filter(source=wp_source).update(text_hash="")  # make the store look again
    wp.edit(1)
    done = poll(wp_source)
    assert (done.updated, done.created, done.skipped) == (1, 0, 0)
    assert len(looks) == 2 and Story.objects.count() == Item.objects.count() == 1
    assert not Fault.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_polling_at_once_make_each_story_once(wp, wp_source):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time; the race is made by hand above")
    for n in range(1, 8):
        wp.add(n)
    errors = []

    def work():
        try:
            poll(StorySource.objects.get(pk=wp_source.pk))
        except Exception as exc:  # pragma: no cover - the assertion below shows it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Story.objects.count() == Item.objects.count() == 7
    assert not Fault.objects.exists()


def test_private_hosts_only_for_sources_and_only_those_named(site, wire_terms, settings):
    from newswire.discovery.fetcher import page_fetcher
    from newswire.fetch import FetchError

    settings.NEWSWIRE_FETCH_ALLOW = []  # production: no loopback
    site.route("/feed", respond(200, rss([{"n": 1}]), "application/rss+xml"))
    url = f"http://localhost:{site.port}/feed"
    source = StorySource.objects.create(url=url, kind="rss")
    assert "loopback" in poll(source).error  # refused until the operator names it
    settings.NEWSWIRE_PRIVATE_SOURCES = ["localhost"]
    assert poll(source).created == 1
    settings.NEWSWIRE_PRIVATE_SOURCES = ["127.0.0.0/8", "::1/128"]
    other = StorySource.objects.create(url=f"http://127.0.0.1:{site.port}/feed", kind="rss")
    assert not poll(other).error
    with page_fetcher() as fetcher, pytest.raises(FetchError) as refused:
        fetcher.get(url)  # a pickup fetch of the same host stays public-only
    assert refused.value.reason == "blocked_address"


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>
<description>&lol9;</description></item></channel></rss>"""

HOSTILE = {
    "xml_bomb": ("rss", BOMB, "application/rss+xml", None),
    "deep_json_ninjs": ("ninjs", b"[" * 200_000 + b"]" * 200_000, "application/json",
                        "nested too deep"),
    "deep_json_wp": ("wordpress", b"[" * 200_000 + b"]" * 200_000, "application/json",
                     "not JSON"),
    "not_utf8_ninjs": ("ninjs", b'{"uri": "urn:x:\xff\xfe"}\n', "application/json", None),
    "bad_json_line": ("ninjs", b'{"uri": "a"}\n{"uri": "b"}\n{"uri": \n', "application/json",
                      "line 3: not JSON"),
    "wp_not_objects": ("wordpress", b"[1, \"two\", null]", "application/json", None),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_answers_are_named_faults_never_crashes(case, site, wire_terms):
    kind, body, ctype, reason = HOSTILE[case]
    path = "/h/wp-json/wp/v2/posts" if kind == "wordpress" else "/h/feed"
    site.route(path, respond(200, body, ctype))
    url = f"{site.url}/h/" + ("" if kind == "wordpress" else "feed")
    source = StorySource.objects.create(url=url, kind=kind)
    done = poll(source)
    assert not Story.objects.exists()
    problems = [done.error] + [f"{f.where}: {f.reason}" for f in Fault.objects.all()]
    assert any(problems), problems  # something is said, on the source or on an item
    if reason:
        assert any(reason in p for p in problems), problems
    assert "internal error" not in " ".join(problems)


def test_items_the_models_refuse_are_named_and_the_rest_imported(wp, wp_source):
    wp.add(1)
    wp.add(2)
    wp.posts[2]["link"] = "javascript:alert(1)"
    wp.add(3)
    wp.posts[3]["content"]["rendered"] = "<p>" + "word " * 500_000 + "</p>"  # 2.5 MB
    done = poll(wp_source)
    assert (done.created, done.skipped) == (1, 2)
    reasons = dict(Fault.objects.values_list("where", "reason"))
    assert "canonical_url" in reasons["post 2 (page 1)"]
    assert "body" in reasons["post 3 (page 1)"]
