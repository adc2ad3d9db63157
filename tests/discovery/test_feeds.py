"""Partner sites followed: feeds and sitemaps found, read, their articles checked; a
watched feed that misbehaves is reported on itself and nothing else stops."""

from __future__ import annotations

import ipaddress

import pytest

from newswire.discovery.feeds import discover, read_feed
from newswire.discovery.models import DomainWatch, WatchedFeed
from newswire.discovery.tasks import due_discovery
from newswire.distribution.snippet import snippet_html
from newswire.fetch import FetchPolicy, PageFetcher, SafeClient
from newswire.partners.models import PartnerDomain
from newswire.pickups.models import Pickup

from ..distribution.test_notices import run_worker
from ..fakesite import endless, fake_site, html, respond
from ..pickups.test_discovery import _commit_callbacks

RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Local Daily</title>
{items}</channel></rss>"""
SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>"""
BOMB = """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol3;</loc></url></urlset>"""


def fetcher(**kw) -> PageFetcher:
    policy = FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),), **kw)
    return PageFetcher(SafeClient(policy))


@pytest.fixture
def domain(partner):
    return PartnerDomain.objects.create(partner=partner, domain="localdaily.example")


@pytest.fixture
def site():
    with fake_site() as s:
        s.route("/robots.txt", respond(200, f"Sitemap: {s.url}/news-sitemap.xml\n".encode(),
                                       content_type="text/plain"))  # fmt: skip
        yield s


def test_feeds_and_sitemaps_are_found_on_the_home_page_and_in_robots(site, domain):
    site.route("/", html(f'<head><link rel="alternate" type="application/rss+xml" '
                         f'href="{site.url}/feed/"></head>'))  # fmt: skip
    with fetcher() as f:
        found = discover(domain, f, home=f"{site.url}/")
    assert {(s.kind, s.url) for s in found} == {
        ("feed", f"{site.url}/feed/"),
        ("sitemap", f"{site.url}/news-sitemap.xml"),
    }
    assert all(s.found_by == "discovered" for s in found)
    assert DomainWatch.objects.get(domain=domain).discovered_at is not None


def test_a_feed_read_queues_each_new_article_once_and_the_worker_checks_it(
    site, domain, make_story, wire_terms, settings
):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    items = "".join(
        f"<item><title>A {n}</title><link>{site.url}/a{n}</link></item>" for n in range(3)
    )
    site.route("/feed/", respond(200, RSS.format(items=items).encode(),
                                 content_type="application/rss+xml"))  # fmt: skip
    site.route("/a0", html(snippet_html(story)))
    site.route("/a1", html("<p>Their own reporting on the weather.</p>"))
    site.route("/a2", html("<p>More of their own.</p>"))
    feed = WatchedFeed.objects.create(domain=domain, url=f"{site.url}/feed/", kind="feed")
    with fetcher() as f:
        first = read_feed(feed, f)
    assert first.queued == 3 and not first.error
    _commit_callbacks()
    run_worker()
    pickup = Pickup.objects.get()
    assert pickup.url == f"{site.url}/a0" and pickup.history.get().via == "partner_feed"
    with fetcher() as f:
        again = read_feed(feed, f)
    assert again.queued == 0  # each article checked lately: not queued again


@pytest.mark.parametrize(
    "kind, handler, error",
    [
        ("feed", html("<p>this is a web page, not a feed</p>"), "content type 'text/html'"),
        ("feed", respond(200, b"{\"this\": \"is JSON\"}", content_type="application/rss+xml"),
         "not a readable RSS/Atom feed"),
        ("sitemap", endless(1024**3), "over the"),
        ("sitemap", respond(200, BOMB.encode(), content_type="application/xml"),
         "not a readable sitemap"),
        ("sitemap", respond(500, b"oops", content_type="text/plain"), "HTTP 500"),
    ],
)  # fmt: skip
def test_a_watched_feed_that_misbehaves_is_reported_on_itself(site, domain, kind, handler, error):
    site.route("/src", handler)
    feed = WatchedFeed.objects.create(domain=domain, url=f"{site.url}/src", kind=kind)
    with fetcher(max_bytes=2 * 1024 * 1024, total_timeout=5) as f:
        done = read_feed(feed, f)
    feed.refresh_from_db()
    assert error in done.error and error in feed.last_error, done.error
    assert feed.last_error_at is not None and feed.next_read_at > feed.last_error_at


def test_a_sitemap_index_is_followed(site, domain):
    urls = "".join(f"<url><loc>{site.url}/n{n}</loc></url>" for n in range(4))
    site.route("/child.xml", respond(200, SITEMAP.format(urls=urls).encode(),
                                     content_type="application/xml"))  # fmt: skip
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url}/child.xml</loc></sitemap></sitemapindex>"
    )
    site.route("/index.xml", respond(200, index.encode(), content_type="application/xml"))
    feed = WatchedFeed.objects.create(domain=domain, url=f"{site.url}/index.xml", kind="sitemap")
    with fetcher() as f:
        done = read_feed(feed, f)
    assert done.articles == [f"{site.url}/n{n}" for n in range(4)] and done.queued == 4


def test_the_worker_queues_discovery_once_and_due_reads(domain):
    feed = WatchedFeed.objects.create(domain=domain, url="https://localdaily.example/feed/",
                                   kind="feed")  # fmt: skip
    assert due_discovery() == (1, 1)
    assert due_discovery() == (0, 0)  # both queued once until they are due again
    feed.refresh_from_db()
    assert feed.next_read_at > feed.last_error_at if feed.last_error_at else True


def test_a_read_queued_under_its_old_name_before_the_upgrade_still_runs(site, domain,
                                                                        settings):
    """A task row names its function by path: ``pickups.tasks.poll_source`` and
    ``discover_domain``, queued before discovery had its own app, run as discovery's."""
    from django.utils.module_loading import import_string

    site.route("/feed/", respond(200, RSS.format(items="").encode(),
                                 content_type="application/rss+xml"))  # fmt: skip
    feed = WatchedFeed.objects.create(domain=domain, url=f"{site.url}/feed/", kind="feed")
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    said = import_string("newswire.pickups.tasks.poll_source").call(feed.pk)
    feed.refresh_from_db()
    assert feed.last_read_at is not None, said
    assert import_string("newswire.pickups.tasks.discover_domain").call(0) == "no such domain"
