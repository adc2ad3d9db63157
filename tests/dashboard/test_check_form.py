"""The "check this URL" form: the same function as `newswire check`, through the safe fetcher."""

from __future__ import annotations

from newswire.distribution.snippet import snippet_html
from newswire.pickups.models import Pickup, PickupCheck

from ..fakesite import fake_site, html, respond
from .test_views import body


def serve_a_copy(site, story, terms) -> None:
    """A site that lets robots in and republishes ``story`` from the snippet at /copy."""
    site.route("/robots.txt", respond(200, b"User-agent: *\n", content_type="text/plain"))
    site.route(
        "/copy", html(f"<html><body><main>{snippet_html(story, terms)}</main></body></html>")
    )


def test_the_form_checks_a_page_on_loopback_and_records_it(staff_client, wire_terms, make_story,
                                                           settings):  # fmt: skip
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the test-only allow list
    story = make_story()
    with fake_site() as site:
        serve_a_copy(site, story, wire_terms)
        site.route("/gone", respond(404, b"no", content_type="text/html"))
        response = staff_client.post(
            "/dashboard/check/", {"urls": f"{site.url}/copy\n{site.url}/gone"}
        )
    page = body(response)
    assert response.status_code == 200 and "compliant" in page and story.headline in page
    assert "could not check" in page and "HTTP 404" in page
    pickup = Pickup.objects.get()
    assert pickup.url == f"{site.url}/copy" and pickup.compliant
    assert PickupCheck.objects.filter(via="submitted").count() == 2


def test_the_form_refuses_what_is_not_a_web_address(staff_client, wire_terms):
    response = staff_client.post(
        "/dashboard/check/", {"urls": "javascript:alert(1)\nftp://x.example/"}
    )
    page = body(response)
    assert "line 1" in page and "line 2" in page and "not an http(s) URL" in page
    assert PickupCheck.objects.count() == 0


def test_an_inside_address_is_refused_with_the_reason(
    staff_client, wire_terms, make_story, settings
):
    make_story()
    settings.NEWSWIRE_FETCH_ALLOW = []
    with fake_site() as site:
        site.route("/copy", html("<p>x</p>"))
        page = body(staff_client.post("/dashboard/check/", {"urls": f"{site.url}/copy"}))
        assert site.log == []
    assert "could not check" in page and "blocked" in page


def test_pages_past_the_forms_time_go_to_the_worker(staff_client, wire_terms, make_story, settings,
                                                    monkeypatch):  # fmt: skip
    from django_tasks_db.models import DBTaskResult

    from newswire.dashboard import views

    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    monkeypatch.setattr(views, "CHECK_SECONDS", 1.0)
    monkeypatch.setattr(views, "PAGE_SECONDS", 1.0)  # no time after the first page
    make_story()
    with fake_site() as site:
        site.route("/robots.txt", respond(200, b"User-agent: *\n", content_type="text/plain"))
        site.route("/a", html("<p>a</p>"))
        page = body(staff_client.post("/dashboard/check/", {"urls": f"{site.url}/a\n{site.url}/b"}))
        assert [p for p in site.paths() if p != "/robots.txt"] == ["/a"]
    assert "1 more page went to the worker" in page
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [f"{site.url}/b", "submitted"]


def test_why_found_explains_a_copy_stage_by_stage(staff_client, wire_terms, make_story, settings):
    """The dashboard's `newswire explain`: a page fetched through the safe fetcher, each
    stage shown, the copy's checks with their evidence; the check form links to it."""
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    story = make_story()
    with fake_site() as site:
        serve_a_copy(site, story, wire_terms)
        site.route("/other", html("<html><body><p>Nothing of ours here at all.</p></body></html>"))
        checked = body(staff_client.post("/dashboard/check/", {"urls": f"{site.url}/copy"}))
        found = body(staff_client.get("/dashboard/explain/", {"url": f"{site.url}/copy"}))
        other = body(staff_client.get("/dashboard/explain/", {"url": f"{site.url}/other"}))
    quoted = f"{site.url}/copy".replace(":", "%3A").replace("/", "%2F")
    assert f'href="/dashboard/explain/?url={quoted}">why?</a>' in checked
    assert f"This page republishes “{story.headline}”: 100% of its" in found  # plain words
    assert "It carries everything the terms require." in found
    assert "sift" not in found.split("(for engineers)")[0].lower()  # no engine words up top
    assert f"a pickup of {story.uri}" in found and "First look (before parsing)" in found
    assert "Extraction" in found and "compliant" in found
    assert "byline" in found and "passed" in found
    assert "This page carries none of our stories" in other
    assert "no story shares enough with the page" in other  # (the engineers' verdict)


def test_why_found_says_why_it_could_not_fetch(staff_client, wire_terms, make_story, settings):
    make_story()
    settings.NEWSWIRE_FETCH_ALLOW = []
    with fake_site() as site:
        site.route("/copy", html("<p>x</p>"))
        page = body(staff_client.get("/dashboard/explain/", {"url": f"{site.url}/copy"}))
        assert site.log == []  # refused before any connection: an inside address
    assert "could not explain" in page and "only public addresses" in page
    bad = body(staff_client.get("/dashboard/explain/", {"url": "javascript:alert(1)"}))
    assert "could not explain" not in bad and "errors" in bad


HOSTILE = ["http://0177.0.0.1:18080/", "http://127.000.000.001/", "http://①②⑦.0.0.1/"]


def test_urls_httpx_cannot_read_are_named_not_a_500(staff_client, wire_terms, make_story,
                                                    settings):  # fmt: skip
    """The attack probe's addresses, given and reached by a redirect: a clean refusal on the
    form and on "why?" (the form's own, or the fetcher's ``bad_url``), never a server error."""
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    make_story()
    with fake_site() as site:
        site.route("/robots.txt", respond(200, b"User-agent: *\n", content_type="text/plain"))
        site.route("/go", respond(302, b"", headers={"Location": "http://0177.0.0.1:18080/"}))
        for url in [*HOSTILE, f"{site.url}/go"]:
            for response in (staff_client.post("/dashboard/check/", {"urls": url}),
                             staff_client.get("/dashboard/explain/", {"url": url})):  # fmt: skip
                assert response.status_code == 200, url
                page = body(response)
                assert (
                    "not an http(s) URL" in page
                    or "Enter an http:// or https" in page
                    or ("could not" in page and "bad_url" in page)
                    or ("could not" in page and "not a web address newswire can fetch" in page)
                ), url
        redirected = body(staff_client.post("/dashboard/check/", {"urls": f"{site.url}/go"}))
        assert "could not check" in redirected and "bad_url" in redirected
