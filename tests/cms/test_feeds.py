"""RSS, Atom and ninjs sources: conditional requests, pages followed to the end, authors
matched by their pages, a ninjs item the CMS cancels flagged for an editor."""

from __future__ import annotations

import json

from newswire.cms.models import Fault, Item, StorySource
from newswire.cms.poll import poll
from newswire.wire.models import Reporter, Story

from ..fakesite import respond
from .fakecms import HOST, atom, ninjs_item, rss


def _conditional(site, path, body, content_type, etag='"v1"'):
    def handle(h):
        if h.headers.get("If-None-Match") == etag:
            respond(304, b"", content_type, {"ETag": etag})(h)
        else:
            respond(200, body, content_type, {"ETag": etag})(h)

    site.route(path, handle)


def test_an_rss_feed_and_then_a_304(site, wire_terms):
    _conditional(site, "/feed/", rss([{"n": 1, "credit": "AP Photo/Jane Doe"}, {"n": 2}]),
                 "application/rss+xml; charset=UTF-8")  # fmt: skip
    source = StorySource.objects.create(url=f"{site.url}/feed/", kind="rss", publish=False)
    done = poll(source)
    assert (done.created, done.error) == (2, "")
    story = Story.objects.get(cms_item__cms_id=f"{HOST}/?p=1")
    assert story.status == "draft" and story.versions.count() == 0  # the source makes drafts
    assert story.byline() == "Kwame Thornbury" and story.desk == "Politics"
    assert story.canonical_url == f"{HOST}/news/1/"
    assert story.media.get().restricted()  # AP Photo is restricted by the terms
    source.refresh_from_db()
    assert source.etag == '"v1"'
    again = poll(source)
    assert (again.pages, again.items) == (1, 0)
    assert site.log[-1][2].get("If-None-Match") == '"v1"'


def test_atom_pages_are_followed_and_authors_matched_by_their_page(site, wire_terms):
    known = Reporter.objects.create(name="T. Oduya", url=f"{HOST}/people/toduya/")
    site.route("/atom", respond(200, atom([1, 2], next_url=f"{site.url}/atom/2"),
                                "application/atom+xml"))  # fmt: skip
    site.route("/atom/2", respond(200, atom([3]), "application/atom+xml"))
    source = StorySource.objects.create(url=f"{site.url}/atom", kind="atom", publish=True)
    done = poll(source)
    assert (done.created, done.pages) == (3, 2)
    assert set(Story.objects.values_list("desk", flat=True)) == {"Environment"}
    assert {r.pk for s in Story.objects.all() for r in s.ordered_reporters()} == {known.pk}
    assert Reporter.objects.count() == 1


def test_ninjs_pages_by_cursor_and_a_cancelled_item_is_flagged(site, wire_terms):
    pages = {
        "": {"items": [ninjs_item(1), ninjs_item(2)], "next": "c2"},
        "c2": {"items": [ninjs_item(3)], "next": None},
    }

    def handle(h):
        cursor = h.path.partition("cursor=")[2]
        respond(200, json.dumps(pages[cursor]).encode(), "application/json")(h)

    site.route("/api/stories", handle)
    source = StorySource.objects.create(url=f"{site.url}/api/stories", kind="ninjs", publish=True)
    done = poll(source)
    assert (done.created, done.pages, done.error) == (3, 2, "")
    story = Story.objects.get(uri="urn:newsroom:2")
    assert story.byline() == "Amara Lindqvist, Science Reporter" and story.desk == "Science"
    pages[""]["items"][1] = ninjs_item(2, pubstatus="canceled")
    done = poll(source)
    assert done.flagged == 1
    assert Item.objects.get(cms_id="urn:newsroom:2").flag == "deleted"
    story.refresh_from_db()
    assert story.status == "published"


def test_an_item_without_a_title_is_named_and_the_rest_imported(site, wire_terms):
    site.route("/feed/", respond(200, rss([{"n": 1}, {"n": 2, "title": ""}, {"n": 3}]),
                                 "application/rss+xml"))  # fmt: skip
    source = StorySource.objects.create(url=f"{site.url}/feed/", kind="rss")
    done = poll(source)
    assert (done.created, done.skipped) == (2, 1)
    fault = Fault.objects.get()
    assert fault.where == f"entry 2 ({HOST}/?p=2)" and "no title" in fault.reason
