from __future__ import annotations

import html

from newswire.distribution.models import BeaconHit
from newswire.engine import Scanner, story_from_ninjs, terms_from_dict
from newswire.engine.types import Page
from newswire.wire.ninjs import to_ninjs

from ..embargo import assert_embargo_holds


def _snippet_from_story_page(client, story) -> str:
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Republish this story" in page
    start = page.index('<textarea class="snippet"')
    body = page[page.index(">", start) + 1 : page.index("</textarea>", start)]
    return html.unescape(body)


def test_snippet_passes_the_engines_checks_pasted_anywhere(
    client, make_story, wire_terms, restricted_licence
):
    story = make_story(photo_credit="Jo Smith/Getty Images")
    story.media.update(licence=restricted_licence)
    snippet = _snippet_from_story_page(client, story)
    assert "GettyImages-1.jpg" not in snippet and f"/beacon/{story.pk}.gif" in snippet
    assert f"By Grace Nakamura, City Hall Reporter, {wire_terms.wire}" in snippet
    terms, _ = terms_from_dict(wire_terms.to_dict())
    engine_story = story_from_ninjs(to_ninjs(story, wire_terms), terms)
    scanner = Scanner([engine_story], terms)
    templates = [
        "<html><body>{}</body></html>",
        "<!doctype html><html><head><title>Blog</title></head><body><header><nav><a href='/'>Home</a>"
        "</nav></header><div class='post'>{}</div><aside class='sidebar'><h3>Popular</h3></aside></body></html>",
        "<html><body><table><tr><td>{}</td></tr></table><footer>© 2024 Town Paper</footer></body></html>",
    ]
    for template in templates:
        matches = scanner.scan_page(
            Page(url="https://blog.example/p/1", body=template.format(snippet).encode())
        )
        assert len(matches) == 1
        checks = {c.name: c.passed for c in matches[0].checks}
        assert matches[0].compliant and all(checks.values()), checks


def test_republish_page_and_beacon(client, make_story, wire_terms):
    story = make_story()
    page = client.get(f"/stories/{story.slug}/republish/")
    assert page.status_code == 200 and b"This story was first published by" in page.content
    response = client.get(
        f"/beacon/{story.pk}.gif",
        headers={"Referer": "https://blog.example/p/1", "User-Agent": "Mozilla/5.0 test"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and "no-cache" in response["Cache-Control"]
    hit = BeaconHit.objects.get()
    assert (hit.story, hit.page_url, hit.user_agent) == (
        story,
        "https://blog.example/p/1",
        "Mozilla/5.0 test",
    )


def test_beacon_costs_one_update_and_counts_per_page_per_day(
    client, make_story, django_assert_max_num_queries
):
    story = make_story()
    long_url = "https://x.example/" + "a" * 5000
    for _ in range(3):
        client.get(f"/beacon/{story.pk}.gif", headers={"Referer": long_url})
    # look the story up, count the view (one UPDATE, in a transaction: a savepoint here)
    with django_assert_max_num_queries(4):
        client.get(f"/beacon/{story.pk}.gif", headers={"Referer": long_url})
    hit = BeaconHit.objects.get()
    assert len(hit.page_url) == 2000 and hit.hits == 4


def test_one_client_cannot_fill_the_table(client, make_story, settings):
    settings.NEWSWIRE_BEACON_PAGES_PER_CLIENT = 5
    story = make_story()
    for n in range(20):
        client.get(f"/beacon/{story.pk}.gif", headers={"Referer": f"https://spam.example/{n}"})
    assert BeaconHit.objects.count() == 5
    other = client.get(
        f"/beacon/{story.pk}.gif", headers={"Referer": "https://real.example/a"},
        REMOTE_ADDR="203.0.113.9",
    )  # fmt: skip
    assert other.status_code == 200 and BeaconHit.objects.count() == 6
    client.get(f"/beacon/{story.pk}.gif", headers={"Referer": "https://spam.example/0"})
    assert BeaconHit.objects.get(page_url="https://spam.example/0").hits == 2  # views still count


def test_a_hit_the_database_cannot_take_is_spooled_not_lost(client, make_story, monkeypatch):
    from django.db import OperationalError

    from newswire.distribution import beacon

    story = make_story()
    real = beacon.record

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(beacon, "record", locked)
    for _ in range(3):
        response = client.get(f"/beacon/{story.pk}.gif", headers={"Referer": "https://a.example/"})
        assert response.status_code == 200 and response.content.startswith(b"GIF89a")
    assert BeaconHit.objects.count() == 0 and any(beacon.spool_dir().iterdir())
    monkeypatch.setattr(beacon, "record", real)
    client.get(f"/beacon/{story.pk}.gif", headers={"Referer": "https://b.example/"})
    assert dict(BeaconHit.objects.values_list("page_url", "hits")) == {
        "https://a.example/": 3,
        "https://b.example/": 1,
    }
    assert not any(beacon.spool_dir().iterdir())


def test_spooled_views_are_added_up_per_page(client, make_story, settings,
                                             django_assert_max_num_queries):  # fmt: skip
    from newswire.distribution import beacon

    settings.NEWSWIRE_BEACON_FLUSH_SECONDS = 3600  # the flusher waits; the test flushes
    story = make_story()
    for n in range(30):
        client.get(f"/beacon/{story.pk}.gif", headers={"Referer": f"https://p.example/{n % 3}"})
    assert BeaconHit.objects.count() == 0  # nothing written on the request path
    # the stories still there (one query), then one transaction; per new page: update,
    # count, insert (each insert in a savepoint)
    with django_assert_max_num_queries(3 + 3 * 5):
        assert beacon.drain_spool() == 30
    assert sorted(BeaconHit.objects.values_list("hits", flat=True)) == [10, 10, 10]
    client.get(f"/beacon/{story.pk}.gif", headers={"Referer": "https://p.example/0"})
    with django_assert_max_num_queries(4):  # the story; one UPDATE (in a savepoint here)
        beacon.drain_spool()
    assert BeaconHit.objects.get(page_url="https://p.example/0").hits == 11


def test_snippet_and_beacon_respect_the_embargo(client, wire_terms):
    stories = assert_embargo_holds(
        client,
        list_urls=["/"],
        detail_urls=lambda s: [f"/stories/{s.slug}/republish/", f"/beacon/{s.pk}.gif"],
    )
    public = stories["public"]
    assert BeaconHit.objects.exclude(story=public).exclude(story=stories["scheduled"]).count() == 0


def test_beacon_survives_hostile_headers(client, make_story):
    story = make_story()
    client.get(
        f"/beacon/{story.pk}.gif",
        headers={"Referer": "https://x.example/\x00a", "User-Agent": "\x00" * 900},
    )
    hit = BeaconHit.objects.get()
    assert hit.page_url == "https://x.example/a" and hit.user_agent == ""
