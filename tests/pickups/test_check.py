"""`newswire check`: pages fetched through the safe fetcher, checked, recorded; every
refusal recorded with its reason. Fake sites on 127.0.0.1 (allowed for the test only)."""

from __future__ import annotations

import ipaddress

import pytest
from click.testing import CliRunner

from newswire.cli import cli
from newswire.distribution.snippet import snippet_html
from newswire.fetch import FetchPolicy, PageFetcher, SafeClient
from newswire.pickups.check import check_urls
from newswire.pickups.models import Pickup, PickupCheck

from ..fakesite import drip, fake_site, gzip_bomb, html, respond

RESOLVE = {"copies.test": ["127.0.0.1"], "inside.test": ["10.0.0.1"]}


def fetcher(**kw) -> PageFetcher:
    def resolve(host: str, port: int) -> list[str]:
        return RESOLVE.get(host) or [str(ipaddress.ip_address(host))]

    policy = FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),), resolver=resolve, **kw)
    return PageFetcher(SafeClient(policy))


@pytest.fixture
def site():
    with fake_site() as s:
        s.route("/robots.txt", respond(200, b"User-agent: *\nDisallow: /private/\n",
                                       content_type="text/plain"))  # fmt: skip
        yield s


def test_a_copy_is_found_checked_and_recorded(site, make_story, wire_terms):
    story = make_story()
    site.route("/news/council", html(f"<main><article>{snippet_html(story)}</article></main>"))
    site.route("/other", html("<p>Nothing to see here but weather news.</p>"))
    base = f"http://copies.test:{site.port}"
    with fetcher() as f:
        done = list(check_urls([f"{base}/news/council", f"{base}/other"], fetcher=f))
    assert done[0].status == "ok" and len(done[0].found) == 1
    pickup = Pickup.objects.get()
    assert pickup.story == story and pickup.compliant and pickup.unauthorised
    assert pickup.history.get().via == "submitted"
    assert done[1].found == [] and PickupCheck.objects.filter(pickup=None).count() == 1
    assert "/robots.txt" in site.paths()


@pytest.mark.parametrize(
    "path, handler, status",
    [
        ("/private/page", html("<p>hidden</p>"), "robots"),
        ("/image", respond(200, b"\x89PNG", content_type="image/png"), "not_html"),
        ("/bomb", gzip_bomb(64 * 1024 * 1024), "too_large"),
        ("/slow", drip(30), "unreachable"),
        ("/missing", respond(404, b"no"), "gone"),
        ("/broken", respond(500, b"oops"), "unreachable"),
    ],
)
def test_pages_that_cannot_be_checked_say_why(site, make_story, path, handler, status):
    make_story()
    site.route(path, handler)
    url = f"http://copies.test:{site.port}{path}"
    with fetcher(max_bytes=1024 * 1024, total_timeout=2) as f:
        [done] = check_urls([url], fetcher=f)
    assert done.status == status, done.reason
    row = PickupCheck.objects.get(url=url)
    assert row.status == status and row.reason
    if status == "robots":
        assert path not in site.paths()  # never asked for


def test_an_inside_address_is_refused_and_a_known_copy_says_so(site, make_story, wire_terms):
    story = make_story()
    site.route("/copy", html(snippet_html(story)))
    url = f"http://copies.test:{site.port}/copy"
    with fetcher() as f:
        list(check_urls([url], fetcher=f))
    site.route("/copy", respond(410, b"gone"))
    with fetcher() as f:
        [gone] = check_urls([url], fetcher=f)
    assert gone.status == "gone"
    pickup = Pickup.objects.get()
    assert (pickup.status, pickup.reason) == ("gone", "HTTP 410")  # marked, not deleted
    assert pickup.history.count() == 2
    with fetcher() as f:
        [inside] = check_urls([f"http://inside.test:{site.port}/copy"], fetcher=f)
    assert inside.status == "blocked" and "10.0.0.1" in inside.reason


def test_check_command_refuses_loopback_without_the_test_allow_list(site, make_story, settings):
    make_story()
    settings.NEWSWIRE_FETCH_ALLOW = []
    site.route("/page", html("<p>x</p>"))
    result = CliRunner().invoke(cli, ["check", f"{site.url}/page"])
    assert result.exit_code == 1 and "blocked" in result.output, result.output
    assert site.log == []  # not even robots.txt was asked for


def test_a_recheck_asks_whether_the_page_changed(site, make_story, wire_terms):
    story = make_story()
    body = html(snippet_html(story), headers={"ETag": '"v1"'})
    site.route("/copy", body)
    url = f"http://copies.test:{site.port}/copy"
    with fetcher() as f:
        list(check_urls([url], fetcher=f))

    def not_modified(h):
        if h.headers.get("If-None-Match") == '"v1"':
            return respond(304, b"", headers={"ETag": '"v1"'})(h)
        return body(h)

    site.route("/copy", not_modified)
    with fetcher() as f:
        [again] = check_urls([url], fetcher=f, via="recheck")
    assert again.status == "ok"
    pickup = Pickup.objects.get()
    assert pickup.etag == '"v1"'
    assert pickup.history.order_by("-at").first().changes == ["not modified (304)"]
    assert site.log[-1][2].get("If-None-Match") == '"v1"'


@pytest.mark.parametrize(
    "url",
    ["http://0177.0.0.1:18080/", "http://127.000.000.001/", "http://①②⑦.0.0.1/", "http://[::1/"],
)
def test_check_command_names_a_url_httpx_cannot_read(make_story, url):
    """The command refuses it where it comes in, in words; the worker's path for a
    beacon's Referer (``check_urls``, as ``check_page`` calls it) names and records it."""
    from newswire.pickups.check import check_urls

    make_story()
    result = CliRunner().invoke(cli, ["check", url])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and f"{url}: not a web address newswire can check" in (
        result.output
    )
    assert not PickupCheck.objects.exists()
    (done,) = check_urls([url], via="beacon")
    assert done.status != "ok" and "bad_url" in done.reason
    assert PickupCheck.objects.get().reason.startswith("bad_url")


def test_a_site_that_is_down_is_not_said_to_refuse_us_by_robots_txt(make_story):
    """A robots.txt that cannot be read is no refusal: host not found, no answer, a server
    error — each said in plain words, none as "Refused by robots.txt"."""
    make_story()
    with fake_site() as down:
        down.route("/robots.txt", respond(503, b"busy", content_type="text/plain"))
        down.route("/copy", html("<p>x</p>"))

        def resolve(host: str, port: int) -> list[str]:
            if host == "nowhere.test":  # as the system's resolver says it
                raise OSError("[Errno -2] Name or service not known")
            return RESOLVE[host]

        policy = FetchPolicy(allow=(ipaddress.ip_network("127.0.0.1/32"),), resolver=resolve)
        with PageFetcher(SafeClient(policy)) as f:
            [busy] = check_urls([f"http://copies.test:{down.port}/copy"], fetcher=f)
            [nowhere] = check_urls(["http://nowhere.test/copy"], fetcher=f)
        assert "/copy" not in down.paths()  # nothing fetched past a robots.txt not read
    assert busy.status == "unreachable" and "server error" in busy.reason
    assert nowhere.status == "unreachable" and "host not found" in nowhere.reason
    for checked in (busy, nowhere):
        assert "robots.txt does not allow" not in checked.reason
    refused = PickupCheck.objects.filter(status="robots")
    assert not refused.exists()


def test_a_robots_txt_that_could_not_be_read_is_asked_again_next_time(site, make_story):
    make_story()
    answers = iter([respond(503, b"busy", content_type="text/plain"),
                    respond(200, b"User-agent: *\n", content_type="text/plain")])  # fmt: skip
    site.route("/robots.txt", lambda h: next(answers)(h))
    site.route("/copy", html("<p>Nothing of ours.</p>"))
    with fetcher() as f:
        [first] = check_urls([f"http://copies.test:{site.port}/copy"], fetcher=f)
        [second] = check_urls([f"http://copies.test:{site.port}/copy"], fetcher=f)
    assert first.status == "unreachable" and second.status == "ok"
