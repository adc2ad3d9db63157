"""Pushing into a partner's WordPress, against a real WordPress (Debian's package, on
loopback: tests/realwp). Skipped, with the reason, where scripts/real-wordpress-setup has
not run; .ci/run runs it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from newswire.distribution.models import PushLog, WordPressPost
from newswire.distribution.wordpress import connect, push
from newswire.partners.models import PartnerDomain
from newswire.wire.models import Story

from ..realwp import NEEDED, RealWordPress, running
from .test_notices import run_worker

pytestmark = NEEDED


@pytest.fixture
def partner_site(tmp_path: Path, settings: Any, wire_terms: Any) -> Iterator[RealWordPress]:
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the partner's WordPress is on loopback
    with running(tmp_path, "Local Daily") as site:
        yield site


@pytest.fixture
def drafts(partner_site: RealWordPress, partner: Any) -> Any:
    """Connected as a partner does by default: stories arrive as drafts."""
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    login = partner_site.app_password("desk", "editor")
    site = connect(partner, partner_site.url, "desk", login, arrive_as="draft")
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()
    return site


def _released(make_story: Any, cb: Any) -> Story:
    with cb(execute=True):
        story = make_story()
    return Story.objects.get(pk=story.pk)


def _post(site: RealWordPress, post_id: int) -> dict[str, Any]:
    got = site.rest("GET", f"wp/v2/posts/{post_id}?context=edit")
    assert got.status_code == 200, got.text
    return got.json()


def test_a_partner_publishing_the_pushed_draft_does_not_hold_the_correction(
    partner_site, drafts, make_story, django_capture_on_commit_callbacks, capsys
):
    story = _released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    mine = WordPressPost.objects.get()
    assert mine.state == "live" and _post(partner_site, mine.post_id)["status"] == "draft"
    # the partner's editor publishes it, as WordPress's editor does
    published = partner_site.rest("POST", f"wp/v2/posts/{mine.post_id}",
                                  json={"status": "publish"})  # fmt: skip
    assert published.status_code == 200 and published.json()["status"] == "publish"
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    saved = time.monotonic()
    run_worker()
    on_site = _post(partner_site, mine.post_id)
    seconds = time.monotonic() - saved
    assert "Sunday" in on_site["content"]["raw"] and "It was Sunday." in on_site["content"]["raw"]
    assert on_site["status"] == "publish"  # what the partner chose stays
    assert WordPressPost.objects.get().state == "live"
    assert not PushLog.objects.filter(action="held").exists()
    with capsys.disabled():
        print(f"\n  real WordPress: a correction saved in newswire -> on the partner's "
              f"post in {seconds:.2f} s (one worker batch)")  # fmt: skip


def test_a_partner_changing_the_text_holds_the_correction(
    partner_site, drafts, make_story, django_capture_on_commit_callbacks
):
    story = _released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    mine = WordPressPost.objects.get()
    raw = _post(partner_site, mine.post_id)["content"]["raw"]
    partner_site.rest("POST", f"wp/v2/posts/{mine.post_id}",
                      json={"content": "<p>Our own intro.</p>" + raw, "status": "publish"})
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    run_worker()
    assert _post(partner_site, mine.post_id)["content"]["raw"].startswith("<p>Our own intro.</p>")
    assert WordPressPost.objects.get().state == "held"
    assert push(drafts.partner_id, story.pk, force=True) == "updated"  # an editor's call
    assert "Sunday" in _post(partner_site, mine.post_id)["content"]["raw"]


@pytest.mark.parametrize("role, arrive_as, accepted", [
    ("contributor", "draft", False), ("contributor", "publish", False),
    ("author", "publish", True), ("author", "draft", True), ("editor", "publish", True),
    ("subscriber", "draft", False),
])  # fmt: skip
def test_connect_checks_the_user_may_do_what_pushes_need(partner_site, partner, role,
                                                         arrive_as, accepted):  # fmt: skip
    from newswire.distribution.wordpress import WordPressError

    login = partner_site.app_password(f"user-{role}", role)
    if accepted:
        site = connect(partner, partner_site.url, f"user-{role}", login, arrive_as=arrive_as)
        assert site.pk
        return
    with pytest.raises(WordPressError, match="Author, Editor or Administrator"):
        connect(partner, partner_site.url, f"user-{role}", login, arrive_as=arrive_as)
    from newswire.distribution.models import WordPressSite

    assert not WordPressSite.objects.filter(partner=partner).exists()  # nothing kept


def test_an_author_connected_in_draft_mode_can_push_a_story_with_its_photo(
    partner_site, partner, make_story, django_capture_on_commit_callbacks, settings
):
    login = partner_site.app_password("writer", "author")
    site = connect(partner, partner_site.url, "writer", login, arrive_as="draft")
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()
    story = _released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    mine = WordPressPost.objects.get()
    assert mine.state == "live", PushLog.objects.values_list("detail", flat=True)
    assert _post(partner_site, mine.post_id)["title"]["raw"] == story.headline


def test_the_pushed_post_shows_its_headline_and_photo_once(
    partner_site, partner, make_story, django_capture_on_commit_callbacks
):
    import io

    from PIL import Image as Picture

    from newswire.wire.models import Media

    from ..fakesite import fake_site, respond

    buffer = io.BytesIO()
    Picture.new("RGB", (640, 400), (180, 90, 40)).save(buffer, "JPEG")
    login = partner_site.app_password("desk2", "editor")
    site = connect(partner, partner_site.url, "desk2", login, arrive_as="publish")
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()
    with fake_site() as photos:
        photos.route("/council.jpg", respond(200, buffer.getvalue(), content_type="image/jpeg"))
        photos.route("/market.jpg", respond(200, buffer.getvalue(), content_type="image/jpeg"))
        with django_capture_on_commit_callbacks(execute=True):
            story = make_story(status="draft")
            for name in ("council", "market"):
                Media.objects.create(story=story, url=f"{photos.url}/{name}.jpg",
                                     caption=f"The {name}.", credit="Newsroom staff")
            story.status = "published"
            story.save()
        run_worker()
    mine = WordPressPost.objects.get()
    post = _post(partner_site, mine.post_id)
    content = post["content"]["raw"]
    assert post["featured_media"]  # the first photo: the theme shows it
    assert "<h1>" not in content and story.headline not in content  # the title shows it
    assert content.count("<figure>") == 1 and "The market." in content  # the second photo
    assert "The council." not in content


@pytest.mark.parametrize("plugin", [False, True])
def test_connect_says_whether_the_site_takes_the_canonical_link(
    partner_site, partner, make_story, django_capture_on_commit_callbacks, wire_terms, client,
    django_user_model, plugin,
):
    import shutil

    import newswire.distribution

    wire_terms.canonical = "link"
    wire_terms.save()
    if plugin:
        shutil.copy(Path(newswire.distribution.__file__).parent / "plugins"
                    / "newswire-seo-meta.php",
                    partner_site.content / "mu-plugins" / "newswire-seo-meta.php")
    login = partner_site.app_password("desk3", "editor")
    site = connect(partner, partner_site.url, "desk3", login, arrive_as="publish")
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()
    said = site.seo_words("link")
    user = django_user_model.objects.create_user("local", "l@localdaily.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    page = client.get("/partner/wordpress/").content.decode()
    assert said.split(":")[0].split(".")[0] in page
    story = _released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    mine = WordPressPost.objects.get()
    meta = _post(partner_site, mine.post_id).get("meta") or {}
    if plugin:
        assert site.seo_meta and "through Rank Math and Yoast SEO" in said
        assert meta.get("_yoast_wpseo_canonical") == story.public_url()
    else:
        assert site.seo_meta == [] and "does not take one" in said
        assert "_yoast_wpseo_canonical" not in meta


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/x.jpg", "http://10.0.0.5/x.jpg", "/media/x.jpg", "http://[::1/x.jpg",
    "ftp://example.org/x.jpg", "http://no-such-host.invalid/x.jpg",
    "data:image/png;base64,AAAA",
])  # fmt: skip
def test_a_photo_that_cannot_be_fetched_is_left_out_and_the_post_is_made(
    partner_site, drafts, make_story, url
):
    from newswire.wire.models import Media

    story = make_story()
    Media.objects.create(story=story, url=url, caption="The hall.", credit="Newsroom staff")
    assert push(drafts.partner_id, story.pk) == "created"
    mine = WordPressPost.objects.get()
    assert mine.state == "live" and _post(partner_site, mine.post_id)["title"]["raw"]
    said = PushLog.objects.filter(action="photo").get()
    assert not said.ok and "The hall." in said.detail and "left out" in said.detail
    assert push(drafts.partner_id, story.pk) == "nothing to do"  # done, not failing again


def test_a_correction_is_one_push(partner_site, drafts, make_story,
                                  django_capture_on_commit_callbacks):  # fmt: skip
    from django_tasks_db.models import DBTaskResult

    story = _released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    before = DBTaskResult.objects.filter(task_path__endswith="push_to_wordpress").count()
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    assert DBTaskResult.objects.filter(task_path__endswith="push_to_wordpress").count() == (
        before + 1)
    run_worker()
    assert PushLog.objects.filter(action="update").count() == 1


def test_the_post_made_before_a_lost_answer_is_adopted_and_recorded(
    partner_site, partner, make_story, django_capture_on_commit_callbacks, settings
):
    """WordPress made the post, but its answer never came back (a proxy in front of the
    real site answers 500 after passing the request on): the retry finds the post by its
    slug, adopts it, and records it like any other; a correction then reaches it."""
    import httpx

    from newswire.distribution.models import Delivery

    from ..fakesite import fake_site

    lost: list[str] = []

    def forward(h: Any) -> None:
        sent = {k: v for k, v in h.headers.items() if k.lower() not in ("host", "content-length")}
        got = httpx.request(h.command, partner_site.url + h.path, headers=sent,
                            content=h.body or None, timeout=60)  # fmt: skip
        status, body = got.status_code, got.content
        if h.command == "POST" and h.path.split("?")[0] == "/wp-json/wp/v2/posts" and not lost:
            lost.append(h.path)  # made there; the answer is lost on the way back
            status, body = 500, b'{"code":"internal_server_error","message":"Timed out"}'
        h.send_response(status)
        h.send_header("Content-Type", got.headers.get("content-type", "application/json"))
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    class Everywhere(dict):  # type: ignore[type-arg]
        def get(self, key: Any, default: Any = None) -> Any:
            return forward

    with fake_site() as proxy:
        proxy.routes = Everywhere()
        login = partner_site.app_password("desk4", "editor")
        site = connect(partner, proxy.url, "desk4", login, arrive_as="publish")
        site.connected_at = timezone.now() - timedelta(minutes=5)
        site.save()
        story = _released(make_story, django_capture_on_commit_callbacks)
        run_worker()  # the first try: WordPress made the post, newswire heard HTTP 500
        assert lost and WordPressPost.objects.get().state == "failed"
        with django_capture_on_commit_callbacks(execute=True):
            assert push(site.partner_id, story.pk) == "updated"  # the retry adopts it
        posts = partner_site.rest("GET", "wp/v2/posts?status=any&context=edit&per_page=100")
        ours = [p for p in posts.json() if p["slug"].startswith("newswire-")]
        assert len(ours) == 1  # one post, not two
        mine = WordPressPost.objects.get()
        assert mine.state == "live" and mine.post_id == ours[0]["id"]
        assert Delivery.objects.filter(partner=partner, story=story).exists()
        logs = " ".join(PushLog.objects.values_list("detail", flat=True))
        assert "answer was lost" in logs and "as an editor asked" not in logs
        with django_capture_on_commit_callbacks(execute=True):
            story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
        run_worker()
        assert "Sunday" in _post(partner_site, mine.post_id)["content"]["raw"]
