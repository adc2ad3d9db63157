"""The push into partners' WordPress, where it could harm (issue 31): credentials that never
cross to another origin, posts that belong to the site they were made on, one post per
story and site whatever runs at once, answers WordPress would not give, bad form values,
photos over the limit and links that are not web links."""

from __future__ import annotations

import ipaddress
from datetime import timedelta

import pytest
from django.utils import timezone

from newswire.distribution import wordpress as wpmod
from newswire.distribution.models import PushLog, WordPressPost, WordPressSite
from newswire.distribution.wordpress import WordPressError, connect, push
from newswire.fetch import FetchError, FetchPolicy, SafeClient
from newswire.wire.models import Licence, Media, Story

from ..fakesite import fake_site, redirect, respond
from .fakewp import PASSWORD, USER, FakeWP
from .test_notices import run_worker
from .test_wordpress import released

SECRET_HEADERS = ("authorization", "cookie", "proxy-authorization")


@pytest.fixture
def wp(settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as site:
        yield FakeWP(site)


@pytest.fixture
def elsewhere(settings):
    """Another origin on loopback (another port): where a redirect may point."""
    with fake_site() as site:
        site.route("/wp-json/wp/v2/users/me", respond(200, b'{"id": 1}', "application/json"))
        site.route("/landing", respond(200, b"ok", "text/plain"))
        yield site


def _secrets_seen(site) -> list[str]:
    return [k for _, _, headers, _ in site.log for k in headers if k.lower() in SECRET_HEADERS]


# --- item 2: credentials never cross to another origin ------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_secret_headers_are_dropped_on_a_redirect_to_another_origin(settings, elsewhere, status):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as here:
        here.route("/go", redirect(f"{elsewhere.url}/landing", status))
        here.route("/stay", redirect("/landing", status))
        here.route("/landing", respond(200, b"ok", "text/plain"))
        policy = FetchPolicy(allow=[ipaddress.ip_network("127.0.0.1/32")])
        secret = {"Authorization": "Basic c2VjcmV0", "Cookie": "s=1",
                  "Proxy-Authorization": "Basic eA==", "X-Other": "kept"}  # fmt: skip
        with SafeClient(policy) as http:
            got = http.request("GET", f"{here.url}/go", headers=secret)
            assert got.status == 200 and got.final_url == f"{elsewhere.url}/landing"
            assert _secrets_seen(elsewhere) == [], "a credential crossed to another origin"
            assert elsewhere.log[-1][2].get("X-Other") == "kept"
            # on its own origin the credentials go on, as browsers send them
            http.request("GET", f"{here.url}/stay", headers=secret)
            assert here.log[-1][2].get("Authorization") == "Basic c2VjcmV0"


def test_a_same_origin_request_refuses_a_redirect_elsewhere(settings, elsewhere):
    with fake_site() as here:
        here.route("/x", redirect(f"{elsewhere.url}/landing", 307))
        policy = FetchPolicy(allow=[ipaddress.ip_network("127.0.0.1/32")])
        with SafeClient(policy) as http, pytest.raises(FetchError) as caught:
            http.request("POST", f"{here.url}/x", headers={"Authorization": "Basic eA=="},
                         content=b"{}", same_origin=True)  # fmt: skip
        assert caught.value.reason == "cross_origin"
        assert f"{elsewhere.url}/landing" in caught.value.message
        assert elsewhere.log == []


def test_a_wordpress_that_redirects_to_another_origin_gets_no_password(
    settings, partner, elsewhere
):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as site:
        site.route("/wp-json/wp/v2/users/me",
                   redirect(f"{elsewhere.url}/wp-json/wp/v2/users/me?context=edit", 307))  # fmt: skip
        with pytest.raises(WordPressError) as caught:
            connect(partner, site.url, USER, PASSWORD)
    said = str(caught.value)
    assert f"redirects to {elsewhere.url}" in said and "connect that address" in said
    assert elsewhere.log == [], "the redirect was followed with the password"
    assert not WordPressSite.objects.exists()


def test_the_admin_never_sends_the_stored_password_to_a_new_address(
    wp, partner, admin_client, elsewhere
):
    site = connect(partner, wp.url, USER, PASSWORD)
    form = {"partner": partner.pk, "url": elsewhere.url, "user": USER, "password": "",
            "arrive_as": "publish", "desks_text": "", "withdraw_as": "draft"}  # fmt: skip
    page = admin_client.post(f"/admin/distribution/wordpresssite/{site.pk}/change/", form)
    assert page.status_code == 200 and "type the application password again" in (
        page.content.decode()
    )
    assert elsewhere.log == [], "the stored password was sent to the new address"
    site.refresh_from_db()
    assert site.url == wp.url
    # the same address without a password keeps the stored one (checked with that site)
    form["url"] = wp.url
    assert admin_client.post(f"/admin/distribution/wordpresssite/{site.pk}/change/",
                             form).status_code == 302  # fmt: skip


# --- item 3: a post belongs to the site it was made on --------------------------------


@pytest.fixture
def connected(wp, partner, wire_terms):
    site = connect(partner, wp.url, USER, PASSWORD, arrive_as="publish")
    WordPressSite.objects.filter(pk=site.pk).update(
        connected_at=timezone.now() - timedelta(minutes=5)
    )
    return WordPressSite.objects.get(pk=site.pk)


@pytest.mark.parametrize("withdraw_as", ["draft", "trash"])
def test_a_new_connection_never_acts_on_an_old_connections_posts(
    connected, wp, partner, make_story, django_capture_on_commit_callbacks, settings, withdraw_as
):
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    (made,) = wp.posts.values()
    with fake_site() as b_site:
        other = FakeWP(b_site)
        other.next_id = made["id"] - 1  # site B's own article has the same id as A's post
        theirs = {"id": made["id"], "slug": "their-own-article", "status": "publish",
                  "link": f"{other.url}/?p={made['id']}", "title": {"raw": "Ours", "rendered":
                  "Ours"}, "content": {"raw": "Their own words.", "rendered":
                  "Their own words."}, "modified_gmt": "2026-11-30T10:00:00"}  # fmt: skip
        other.posts[made["id"]] = theirs
        connect(partner, other.url, USER, PASSWORD, withdraw_as=withdraw_as)
        with django_capture_on_commit_callbacks(execute=True):
            Story.objects.get(pk=story.pk).withdraw("Wrong figures.")
        run_worker()
        assert other.posts[made["id"]]["content"]["raw"] == "Their own words."
        assert other.posts[made["id"]]["status"] == "publish"
        touched = [(m, p) for m, p, _, _ in b_site.log if f"/posts/{made['id']}" in p]
        assert touched == [], f"site B's post was acted on: {touched}"
        # and a correction neither: the story is pushed to B as a new post of its own
        assert all(p["slug"] != "their-own-article" or p is theirs for p in other.posts.values())


def test_a_slug_lookup_never_adopts_a_post_newswire_did_not_make(
    connected, wp, make_story, django_capture_on_commit_callbacks
):
    story = make_story(status=Story.Status.DRAFT)
    slug = f"newswire-{story.slug}"
    # a post of the partner's own at newswire's slug, and one at another slug answering it
    wp.posts[7] = {"id": 7, "slug": slug, "status": "publish", "link": f"{wp.url}/?p=7",
                   "title": {"raw": "Mine", "rendered": "Mine"}, "content": {"raw": "Mine.",
                   "rendered": "Mine."}, "modified_gmt": "2026-11-30T10:00:00"}  # fmt: skip
    wp.posts[8] = {**wp.posts[7], "id": 8, "slug": "something-else"}
    original = wp._route

    def route(method, path, query, body, h):  # the lookup answers both
        if path == "/posts" and method == "GET":
            return 200, [wp.posts[7], wp.posts[8]]
        return original(method, path, query, body, h)

    wp._route = route
    with django_capture_on_commit_callbacks(execute=True):
        story.status = Story.Status.PUBLISHED
        story.save()
    run_worker()
    assert wp.posts[7]["content"]["raw"] == "Mine." and wp.posts[8]["content"]["raw"] == "Mine."
    mine = WordPressPost.objects.get(story=story)
    assert mine.post_id not in (7, 8) and mine.state == "live"
    assert PushLog.objects.filter(action="left alone").count() == 2


# --- item 4: two pushes at once make one post ---------------------------------------


def test_two_pushes_at_once_make_one_post(connected, wp, make_story,
                                          django_capture_on_commit_callbacks, monkeypatch):  # fmt: skip
    story = make_story(status=Story.Status.DRAFT)
    Story.objects.filter(pk=story.pk).update(status=Story.Status.PUBLISHED)
    inner: list[str] = []
    real_call = wpmod.Client.call

    def slow_lookup(self, method, path, *args, **kwargs):
        # while this push waits on the slug lookup, a second push of the same story starts
        if method == "GET" and path.startswith("/posts?slug=") and not inner:
            inner.append(push(connected.partner_id, story.pk))
        return real_call(self, method, path, *args, **kwargs)

    monkeypatch.setattr(wpmod.Client, "call", slow_lookup)
    with django_capture_on_commit_callbacks(execute=False):
        first = push(connected.partner_id, story.pk)
    assert (first, inner) == ("created", ["busy"])
    assert len(wp.posts) == 1 and WordPressPost.objects.filter(story=story).count() == 1
    # the push that found it busy comes back later and has nothing left to do
    assert push(connected.partner_id, story.pk) == "nothing to do"
    assert WordPressPost.objects.get(story=story).busy_until is None


# --- item 7: answers WordPress would not give are failed tries -----------------------


@pytest.mark.parametrize("answer", [
    (200, b"<html>not json</html>", "text/html"),
    (200, b"[1,2,3]", "application/json"),
    (200, b'{"id": "x"}', "application/json"),
    (200, b'"just a string"', "application/json"),
    (201, b"", "application/json"),
])  # fmt: skip
def test_an_answer_not_of_wordpress_is_a_failed_try_retried(
    connected, wp, make_story, answer, monkeypatch
):
    status, body, ctype = answer
    story = make_story(status=Story.Status.DRAFT)
    Story.objects.filter(pk=story.pk).update(status=Story.Status.PUBLISHED)
    original = wp._route

    def route(method, path, query, raw, h):
        if path == "/posts":  # the lookup and the create both answer oddly
            return "raw", (status, body, ctype)
        return original(method, path, query, raw, h)

    real_send = wp._send

    def send(h, st, data):
        if st == "raw":
            code, raw_body, kind = data
            h.send_response(code)
            h.send_header("Content-Type", kind)
            h.send_header("Content-Length", str(len(raw_body)))
            h.end_headers()
            h.wfile.write(raw_body)
        else:
            real_send(h, st, data)

    wp._route, wp._send = route, send
    assert push(connected.partner_id, story.pk) == "failed"
    post = WordPressPost.objects.get(story=story)
    assert post.state == "failed" and post.attempts == 1 and post.next_try_at is not None
    assert post.last_error and "Error" not in post.last_error.split(":")[0]
    log = PushLog.objects.filter(action="failed").get()
    assert "try 1" in log.detail and "next try" in log.detail


# --- item 8: bad form values are a 400 with words ------------------------------------


@pytest.mark.parametrize("value", ["abc", "", " ", "1e3", "-1", "9" * 40, "1; DROP"])
def test_retry_with_a_bad_value_is_a_400(connected, partner, client, django_user_model, value):
    user = django_user_model.objects.create_user("local", "l@localdaily.example", "pw")
    partner.members.add(user)
    partner.status = "active"
    partner.save()
    client.force_login(user)
    response = client.post("/partner/wordpress/", {"retry": value})
    assert response.status_code == 400
    assert "is not one of your posts" in response.content.decode()


# --- item 13: a photo over the limit is left out, said in the log --------------------


def test_a_photo_over_the_upload_limit_is_skipped_not_cut(
    connected, wp, make_story, monkeypatch, tmp_path, settings
):
    monkeypatch.setattr(wpmod, "MEDIA_LIMIT", 4096)
    big = b"\xff\xd8\xff\xe0" + b"x" * 8000
    wp.site.route("/photos/big.jpg", respond(200, big, content_type="image/jpeg"))
    wp.site.route("/photos/ok.jpg", respond(200, b"\xff\xd8\xff\xe0small", "image/jpeg"))
    story = make_story(status=Story.Status.DRAFT)
    free = Licence.objects.create(name="Ours", redistributable=True)
    Media.objects.create(story=story, url=f"{wp.url}/photos/big.jpg", position=0,
                         caption="Too big.", credit="Staff", licence=free)  # fmt: skip
    Media.objects.create(story=story, url=f"{wp.url}/photos/ok.jpg", position=1,
                         caption="Small.", credit="Staff", licence=free)  # fmt: skip
    Media.objects.create(story=story, url=f"{wp.url}/photos/gone.jpg", position=2,
                         caption="Gone.", credit="Staff", licence=free)  # fmt: skip
    Story.objects.filter(pk=story.pk).update(status=Story.Status.PUBLISHED)
    assert push(connected.partner_id, story.pk) == "created", WordPressPost.objects.get().last_error
    sizes = [m["bytes"] for m in wp.media.values()]
    assert sizes == [len(b"\xff\xd8\xff\xe0small")], f"uploaded: {sizes}"
    said = " | ".join(PushLog.objects.filter(action="photo").values_list("detail", flat=True))
    assert "'Too big.' left out: it is larger than the upload limit" in said
    assert "'Gone.' left out" in said and "HTTP 404" in said


# --- item 14: only web links are kept and shown --------------------------------------


@pytest.mark.parametrize("link", ["javascript:alert(document.domain)", "data:text/html,x",
                                  "  javascript:alert(1)", "vbscript:x", "//evil.example/x"])  # fmt: skip
def test_a_post_link_that_is_not_a_web_link_is_never_kept_or_shown(
    connected, wp, make_story, partner, client, django_user_model, link
):
    story = make_story(status=Story.Status.DRAFT)
    Story.objects.filter(pk=story.pk).update(status=Story.Status.PUBLISHED)
    original = wp._route

    def route(method, path, query, body, h):
        status, data = original(method, path, query, body, h)
        if isinstance(data, dict) and "link" in data:
            data = {**data, "link": link}
        return status, data

    wp._route = route
    assert push(connected.partner_id, story.pk) == "created"
    post = WordPressPost.objects.get(story=story)
    assert post.link == "" and post.post_id
    WordPressPost.objects.filter(pk=post.pk).update(link=link)  # an old row, kept before
    user = django_user_model.objects.create_user("local", "l@localdaily.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    page = client.get("/partner/wordpress/").content.decode()
    for bad in (link.strip(), "javascript:", "data:", "vbscript:", "//evil"):
        assert f'href="{bad}' not in page, f"{bad!r} shown as a link"
    assert f"post {post.post_id}" in page
