"""Stories pushed into a partner's WordPress (issue 25), against a fake WordPress on
127.0.0.1 that speaks the REST API with application-password auth (``fakewp``)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.core import mail
from django.db import connection
from django.utils import timezone

from newswire.cli import cli
from newswire.distribution.models import PushLog, WordPressPost, WordPressSite
from newswire.distribution.wordpress import WordPressError, connect, due_pushes, push
from newswire.partners.models import PartnerDomain
from newswire.wire.models import Licence, Media, Story

from ..fakesite import fake_site, respond
from .fakewp import PASSWORD, USER, FakeWP
from .test_notices import run_worker

PHOTO = b"\xff\xd8\xff\xe0" + b"JPEG" * 500


@pytest.fixture
def wp(settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]
    with fake_site() as site:
        site.route("/photos/council.jpg", respond(200, PHOTO, content_type="image/jpeg"))
        site.route("/photos/getty.jpg", respond(200, PHOTO, content_type="image/jpeg"))
        yield FakeWP(site)


@pytest.fixture
def connected(wp, partner, wire_terms, django_capture_on_commit_callbacks):
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    site = connect(partner, wp.url, USER, PASSWORD, arrive_as="publish")
    site.connected_at = timezone.now() - timedelta(minutes=5)
    site.save()
    return site


def released(make_story, cb, **kwargs):
    """A story published now, its pushes queued (the commit's callbacks run)."""
    with cb(execute=True):
        story = make_story(**kwargs)  # (saved published: the release event)
    return Story.objects.get(pk=story.pk)


# --- connect -------------------------------------------------------------------------


def test_connect_checks_the_password_and_keeps_it_encrypted_only(wp, partner, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(WordPressError, match="refused the user name or application password"):
        connect(partner, wp.url, USER, "wrong password 0000")
    assert not WordPressSite.objects.exists()
    assert PushLog.objects.get().ok is False
    site = connect(partner, wp.url, USER, PASSWORD)
    assert site.password() == PASSWORD and PASSWORD not in site.password_token
    # nowhere in the database in clear, nor in a log line
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            assert PASSWORD not in repr(cursor.fetchall()), table
    assert PASSWORD not in caplog.text
    assert "Basic" not in caplog.text


def test_connect_from_the_command_line(wp, partner, tmp_path):
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    secret = tmp_path / "pw"
    secret.write_text("not it\n")
    runner = CliRunner()
    wrong = runner.invoke(cli, ["partners", "connect-wordpress", "localdaily.example", wp.url,
                                "--user", USER, "--password-file", str(secret)])  # fmt: skip
    assert wrong.exit_code == 2 and "refused the user name or application password" in wrong.output
    secret.write_text(PASSWORD + "\n")
    ok = runner.invoke(cli, ["partners", "connect-wordpress", str(partner.pk), wp.url, "--user",
                             USER, "--password-file", str(secret), "--status", "publish",
                             "--desk", "Local"])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "connected to" in ok.output and PASSWORD not in ok.output
    listed = runner.invoke(cli, ["partners", "list"])
    assert wp.url in listed.output and "stories arrive published at once, Local" in listed.output
    missing = runner.invoke(cli, ["partners", "disconnect-wordpress", "nobody.example"])
    assert missing.exit_code == 2 and "no partner has the id or the domain" in missing.output
    gone = runner.invoke(cli, ["partners", "disconnect-wordpress", "localdaily.example"])
    assert gone.exit_code == 0 and not WordPressSite.objects.exists()


# --- push on release ---------------------------------------------------------------


def test_a_released_story_is_pushed_once_with_its_photo_not_the_restricted_one(
    connected, wp, make_story, django_capture_on_commit_callbacks, restricted_licence
):
    story = released(make_story, django_capture_on_commit_callbacks)
    free = Licence.objects.create(name="Ours", redistributable=True)
    Media.objects.create(
        story=story,
        url=f"{wp.url}/photos/council.jpg",
        position=0,
        caption="Residents at the meeting.",
        credit="Ann Lee",
        licence=free,
    )
    Media.objects.create(story=story, url=f"{wp.url}/photos/getty.jpg", position=1,
                         caption="The mayor.", credit="Getty Images", licence=restricted_licence)  # fmt: skip
    run_worker()
    (post,) = wp.posts.values()
    assert post["status"] == "publish" and post["slug"] == f"newswire-{story.slug}"
    content = post["content"]["raw"]
    assert "newswire-attribution" in content and "/beacon/" in content
    assert "getty.jpg" not in content
    assert [m["filename"] for m in wp.media.values()] == ["council.jpg"]  # not the Getty photo
    (photo,) = wp.media.values()
    assert "Photo: Ann Lee" in photo["caption"] and post["featured_media"] == photo["id"]
    mine = WordPressPost.objects.get()
    assert (mine.post_id, mine.state, mine.version) == (post["id"], "live", 1)
    run_worker()
    assert push(connected.partner_id, story.pk) == "nothing to do" and len(wp.posts) == 1


def test_drafts_desks_and_embargoes(connected, wp, make_story, django_capture_on_commit_callbacks):
    connected.arrive_as, connected.desks = "draft", ["Local"]
    connected.save()
    local = released(make_story, django_capture_on_commit_callbacks, headline="Council Votes")
    released(make_story, django_capture_on_commit_callbacks, headline="Derby Day", desk="Sport")
    later = timezone.now() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        embargoed = make_story("Bridge Opens", release_at=later)
    run_worker()
    assert [p["title"]["raw"] for p in wp.posts.values()] == ["Council Votes"]
    assert next(iter(wp.posts.values()))["status"] == "draft"
    assert due_pushes() == 0  # the embargoed story is not released yet
    Story.objects.filter(pk=embargoed.pk).update(release_at=timezone.now() - timedelta(seconds=1))
    assert due_pushes() == 1  # the clock released it: the housekeeping finds it
    run_worker()
    assert {p["title"]["raw"] for p in wp.posts.values()} == {"Council Votes", "Bridge Opens"}
    assert local.pk in set(WordPressPost.objects.values_list("story_id", flat=True))


def test_seo_meta_for_the_terms_canonical_rule(connected, wp, make_story, wire_terms,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    wire_terms.canonical = "link"
    wire_terms.save()
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    (post,) = wp.posts.values()
    assert post["meta"]["_yoast_wpseo_canonical"] == story.public_url()
    assert post["meta"]["rank_math_canonical_url"] == story.public_url()


# --- corrections, withdrawals, the partner's own edit ------------------------------


def test_a_correction_updates_the_same_post_and_a_withdrawal_takes_it_down(
    connected, wp, make_story, django_capture_on_commit_callbacks, capsys
):
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    (post_id,) = wp.posts
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    corrected_at = time.monotonic()
    run_worker()
    to_correct = time.monotonic() - corrected_at
    assert list(wp.posts) == [post_id]
    content = wp.posts[post_id]["content"]["raw"]
    assert "Sunday" in content and "It was Sunday." in content and "Correction (" in content
    assert WordPressPost.objects.get().version == 2
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.get(pk=story.pk).withdraw("A source retracted the quote.")
    withdrawn_at = time.monotonic()
    run_worker()
    to_take_down = time.monotonic() - withdrawn_at
    post = wp.posts[post_id]
    assert post["status"] == "draft" and "withdrawn" in post["content"]["raw"]
    assert "A source retracted the quote." in post["content"]["raw"]
    assert WordPressPost.objects.get().state == "down"
    actions = list(PushLog.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["connect", "create", "update", "take down"]
    with capsys.disabled():
        print(
            f"\n  fake WordPress: correction -> post updated {to_correct * 1000:.0f} ms; "
            f"withdrawal -> post down {to_take_down * 1000:.0f} ms (one worker batch)"
        )


def test_a_withdrawal_can_go_to_the_trash(connected, wp, make_story,
                                          django_capture_on_commit_callbacks):  # fmt: skip
    connected.withdraw_as = "trash"
    connected.save()
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.get(pk=story.pk).withdraw("Legal advice.")
    run_worker()
    assert next(iter(wp.posts.values()))["status"] == "trash"


def test_the_partners_own_edit_is_not_overwritten_silently(
    connected, wp, make_story, django_capture_on_commit_callbacks
):
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    (post_id,) = wp.posts
    wp.edit(post_id, "<p>Our own intro.</p>" + wp.posts[post_id]["content"]["raw"])
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    run_worker()
    assert wp.posts[post_id]["content"]["raw"].startswith("<p>Our own intro.</p>")
    mine = WordPressPost.objects.get()
    assert mine.state == "held" and mine.version == 1
    held = PushLog.objects.filter(action="held").get()
    assert "the partner edited it" in held.detail and not held.ok
    assert push(connected.partner_id, story.pk) == "held"  # not by a retry either
    assert push(connected.partner_id, story.pk, force=True) == "updated"  # an editor's call
    assert "Sunday" in wp.posts[post_id]["content"]["raw"]


def test_a_push_retried_after_a_500_makes_one_post(connected, wp, make_story,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    wp.fail_next("after")  # WordPress made the post, but its answer was a 500
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    mine = WordPressPost.objects.get()
    assert mine.state == "failed" and mine.attempts == 1 and "HTTP 500" in mine.last_error
    assert mine.next_try_at is not None and len(wp.posts) == 1
    assert push(connected.partner_id, story.pk) == "updated"  # the retry adopts the post
    assert len(wp.posts) == 1 and WordPressPost.objects.get().post_id == next(iter(wp.posts))
    wp.fail_next("before")
    other = released(make_story, django_capture_on_commit_callbacks, headline="Second Story")
    run_worker()
    assert push(connected.partner_id, other.pk) == "created" and len(wp.posts) == 2


def test_the_partner_page_connects_and_shows_the_log(wp, partner, client, django_user_model,
                                                     wire_terms):  # fmt: skip
    user = django_user_model.objects.create_user("local", "l@localdaily.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    form = {"connect": "1", "url": wp.url, "user": USER, "password": "wrong",
            "arrive_as": "draft", "desks": "", "withdraw_as": "draft"}  # fmt: skip
    page = client.post("/partner/wordpress/", form).content.decode()
    assert "Not connected: WordPress refused the user name or application password" in page
    assert "Connected</strong>" not in page and "Disconnect" not in page  # nothing was kept
    form["password"] = PASSWORD
    done = client.post("/partner/wordpress/", form, follow=True).content.decode()
    assert "Connected to" in done and "Delivery log" in done and PASSWORD not in done
    assert "connect" in done and wp.url in done
    assert 'href="/partner/wordpress/"' in client.get("/partner/").content.decode()


def test_no_mail_of_the_password(connected):
    assert all(PASSWORD not in m.body for m in mail.outbox)


def test_an_editor_connects_a_partners_wordpress_in_the_admin(wp, partner, admin_client):
    url = "/admin/distribution/wordpresssite/add/"
    form = {"partner": partner.pk, "url": wp.url, "user": USER, "password": "wrong",
            "arrive_as": "publish", "desks_text": "Local, Transport", "withdraw_as": "trash"}  # fmt: skip
    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "refused the user name or application password" in (
        refused.content.decode()
    )
    assert not WordPressSite.objects.exists()
    form["password"] = PASSWORD
    assert admin_client.post(url, form).status_code == 302
    site = WordPressSite.objects.get()
    assert site.password() == PASSWORD and site.desks == ["Local", "Transport"]
    page = admin_client.get(f"/admin/distribution/wordpresssite/{site.pk}/change/").content
    assert PASSWORD.encode() not in page and site.password_token.encode() not in page


def test_withdrawn_stories_still_up_are_listed_with_their_notice(
    partner, make_story, admin_client, django_capture_on_commit_callbacks, settings
):
    from newswire.distribution.models import Delivery, WithdrawalNotice
    from newswire.pickups.models import Via
    from newswire.pickups.record import record_result

    from ..dashboard.conftest import result

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    PartnerDomain.objects.create(partner=partner, domain="localdaily.example")
    story = make_story()
    Delivery.objects.create(partner=partner, story=story, channel="feed")
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.get(pk=story.pk).withdraw("Legal advice.")
    run_worker()
    record_result(result(story, "https://localdaily.example/council"), Via.RECHECK)
    page = admin_client.get("/dashboard/").content.decode()
    section = page.split("Withdrawn stories still up", 1)[1].split("</section>", 1)[0]
    sent = WithdrawalNotice.objects.get(channel="email").sent_at
    assert "localdaily.example" in section and "withdrawal notice sent" in section
    assert timezone.localtime(sent).strftime("%Y-%m-%d %H:%M") in section


# --- what is an edit, the adopted post, one push per change (real WordPress: issue 33) --


@pytest.mark.parametrize("change", ["publish", "schedule", "save unchanged", "sticky"])
def test_publishing_scheduling_or_saving_a_pushed_draft_is_no_edit(
    connected, wp, make_story, django_capture_on_commit_callbacks, change
):
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    (post_id,) = wp.posts
    post = wp.posts[post_id]
    if change == "publish":
        post["status"] = "publish"
    elif change == "schedule":
        post["status"], post["date_gmt"] = "future", "2031-01-01T09:00:00"
    elif change == "sticky":
        post["sticky"] = True
    post["content"] = {"raw": post["content"]["raw"], "rendered": post["content"]["raw"] + "\n"}
    post["modified_gmt"] = wp._tick()  # WordPress moved its modified time: no edit for all that
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    run_worker()
    assert "Sunday" in wp.posts[post_id]["content"]["raw"]
    assert WordPressPost.objects.get().state == "live"
    assert not PushLog.objects.filter(action="held").exists()


@pytest.mark.parametrize("edit", [
    lambda raw: "<p>Our own intro.</p>" + raw, lambda raw: raw.replace("Monday", "Mon."),
    lambda raw: raw[: len(raw) // 2],
])  # fmt: skip
def test_a_change_of_the_text_by_the_partner_is_an_edit(
    connected, wp, make_story, django_capture_on_commit_callbacks, edit
):
    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    (post_id,) = wp.posts
    wp.edit(post_id, edit(wp.posts[post_id]["content"]["raw"]))
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    run_worker()
    assert WordPressPost.objects.get().state == "held"
    assert "title or text changed" in PushLog.objects.get(action="held").detail


def test_a_correction_queues_one_push_per_partner(
    connected, wp, make_story, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    story = released(make_story, django_capture_on_commit_callbacks)
    run_worker()
    before = DBTaskResult.objects.filter(task_path__endswith="push_to_wordpress").count()
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    after = DBTaskResult.objects.filter(task_path__endswith="push_to_wordpress").count()
    assert after - before == 1


def test_the_post_adopted_after_a_lost_answer_is_recorded_like_any_other(
    connected, wp, make_story, django_capture_on_commit_callbacks, mailoutbox
):
    from newswire.distribution.models import Delivery
    from newswire.events import wordpress_post_made

    made = []

    def seen(sender, post, **kwargs):
        made.append(post.post_id)

    wordpress_post_made.connect(seen, dispatch_uid="test-adopted")
    try:
        wp.fail_next("after")  # WordPress made the post, but its answer was a 500
        story = released(make_story, django_capture_on_commit_callbacks)
        run_worker()
        with django_capture_on_commit_callbacks(execute=True):
            assert push(connected.partner_id, story.pk) == "updated"  # the retry adopts it
    finally:
        wordpress_post_made.disconnect(dispatch_uid="test-adopted")
    (post_id,) = wp.posts
    assert Delivery.objects.filter(partner_id=connected.partner_id, story=story).exists()
    assert made == [post_id]  # recorded as a copy (checked once the partner publishes it)
    logs = " ".join(PushLog.objects.values_list("detail", flat=True))
    assert "as an editor asked" not in logs and "answer was lost" in logs
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body.replace("Monday", "Sunday"), note="It was Sunday.")
    run_worker()
    assert "Sunday" in wp.posts[post_id]["content"]["raw"]
    assert WordPressPost.objects.get().version == 2
