"""The one WordPress REST client (newswire/wordpress.py), against a loopback WordPress-like
list: every post listed for the whole read is seen, whatever is deleted between pages (up
to the overlap a page keeps), the page limit says where it stopped, errors are in words,
and the password never leaves the site's origin."""

from __future__ import annotations

import ipaddress
import json
import random
from urllib.parse import parse_qs, urlsplit

import pytest

from newswire.fetch import FetchError, FetchPolicy, SafeClient
from newswire.wordpress import OVERLAP, RestClient, WordPressError, basic_auth

from .fakesite import fake_site, redirect, respond

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


@pytest.fixture
def client():
    """A REST client for a loopback site (``client(site, auth)``), closed after the test."""
    made: list[SafeClient] = []

    def make(site, auth=None) -> RestClient:
        made.append(SafeClient(FetchPolicy(allow=LOOPBACK)))
        return RestClient(f"{site.url}/wp-json/", made[-1], auth)

    yield make
    for http in made:
        http.close()


def _listing(posts: list[int], on_request=None):
    """WordPress's /wp/v2/posts by id, ascending, with offset and per_page; X-WP-Total."""

    def handle(h) -> None:
        if on_request:
            on_request()
        q = {k: v[0] for k, v in parse_qs(urlsplit(h.path).query).items()}
        assert (q.get("orderby"), q.get("order")) in (("id", "asc"), (None, None))
        offset, per_page = int(q.get("offset", 0)), int(q.get("per_page", 10))
        page = sorted(posts)[offset : offset + per_page]
        respond(200, json.dumps([{"id": i} for i in page]).encode(),
                content_type="application/json",
                headers={"X-WP-Total": str(len(posts))})(h)  # fmt: skip

    return handle


@pytest.mark.parametrize("seed", range(15))
def test_every_post_listed_throughout_is_seen_whatever_leaves_between_pages(seed, client):
    rng = random.Random(seed)
    posts = list(range(1, rng.randint(1, 250)))
    per_page = rng.randint(5, 40)
    stays = set(posts)

    def delete_some() -> None:  # between two requests, up to the overlap leave the list
        most = min(OVERLAP, per_page // 3)
        for i in rng.sample(sorted(posts), min(len(posts), rng.randint(0, most))):
            posts.remove(i)
            stays.discard(i)

    with fake_site() as site:
        site.route("/wp-json/wp/v2/posts", _listing(posts, delete_some))
        seen = set()
        wp = client(site)
        for _, got in wp.pages("posts", {"per_page": str(per_page)}, max_pages=10_000):
            seen |= {p["id"] for p in json.loads(got.body)}
    assert stays <= seen, sorted(stays - seen)
    assert wp.stopped_at == ""


def test_the_page_limit_says_where_it_stopped(client):
    with fake_site() as site:
        site.route("/wp-json/wp/v2/posts", _listing(list(range(1, 101))))
        wp = client(site)
        read = list(wp.pages("posts", {"per_page": "10"}, max_pages=3))
    assert len(read) == 3 and wp.stopped_at == read[-1][0]


def test_an_error_is_said_in_words_with_wordpress_own(client):
    error = {"code": "rest_forbidden", "message": "<b>Sorry</b>, you are not allowed."}
    with fake_site() as site:
        site.route("/wp-json/wp/v2/posts", respond(403, json.dumps(error).encode(),
                                                   content_type="application/json"))  # fmt: skip
        wp = client(site)
        with pytest.raises(WordPressError) as read:
            wp.read(wp.url("posts", {"per_page": "1"}))
        assert str(read.value).endswith(
            "HTTP 403 (WordPress error rest_forbidden: Sorry , you are not allowed.)")
        with pytest.raises(WordPressError) as called:
            wp.call("POST", "/posts", {"title": "x"})
        assert str(called.value).startswith("the user may not do this on the site")


def test_the_password_never_leaves_the_site_origin(client):
    with fake_site("127.0.0.2") as elsewhere, fake_site() as site:
        elsewhere.route("/wp-json/wp/v2/posts", _listing([1, 2]))
        site.route("/wp-json/wp/v2/posts", redirect(f"{elsewhere.url}/wp-json/wp/v2/posts"))
        wp = client(site, basic_auth("wire", "secret pass"))
        with pytest.raises(FetchError):
            wp.get(wp.url("posts"))
        with pytest.raises(WordPressError, match="another address than the one connected"):
            wp.call("GET", "/posts")
        assert elsewhere.log == []  # nothing, and no password, went there
        anyone = client(site)  # with no password, a redirect is followed as any page's
        assert anyone.get(anyone.url("posts")).status == 200 and len(elsewhere.log) == 1
