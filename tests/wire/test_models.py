from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from newswire.engine.terms import terms_from_dict
from newswire.wire.models import Licence, Media, Story, StoryVersion, Terms

HOSTILE = (
    '<p onclick="steal()">Hello <a href="javascript:alert(1)">link</a>'
    '<img src="x.jpg" onerror="alert(2)"></p><script>alert(3)</script>'
    '<style>body{}</style><iframe src="https://evil.test"></iframe><p>World</p>'
)


def test_body_is_sanitised_on_save(make_story):
    story = make_story(body=HOSTILE)
    story.refresh_from_db()
    assert "<script" not in story.body and "alert(3)" not in story.body
    assert "onclick" not in story.body and "onerror" not in story.body
    assert (
        "javascript:" not in story.body
        and "<iframe" not in story.body
        and "<style" not in story.body
    )
    assert "Hello" in story.body and "<p>World</p>" in story.body
    assert '<img src="x.jpg">' in story.body  # the image itself stays


def test_slug_is_unique_and_summary_is_made(make_story):
    a = make_story("Same Headline")
    b = make_story("Same Headline")
    assert a.slug == "same-headline" and b.slug == "same-headline-2"
    assert (
        a.summary.startswith("Paragraph 1 of the council story") and "Monday evening" in a.summary
    )


def test_public_follows_status_and_release_time(make_story):
    now = timezone.now()
    visible = make_story("Visible")
    make_story("Draft", status=Story.Status.DRAFT)
    make_story("Withdrawn", status=Story.Status.WITHDRAWN)
    make_story("Embargoed", release_at=now + timedelta(hours=1))
    later = make_story(
        "Scheduled", status=Story.Status.SCHEDULED, release_at=now + timedelta(hours=1)
    )
    assert [s.headline for s in Story.objects.public()] == ["Visible"]
    assert visible.is_public() and not later.is_public()
    assert later.is_public(now=now + timedelta(hours=2))
    assert {s.headline for s in Story.objects.public(now=now + timedelta(hours=2))} == {
        "Visible", "Embargoed", "Scheduled",
    }  # fmt: skip


def test_scheduled_with_past_release_is_simply_published(make_story):
    story = make_story(
        "Late", status=Story.Status.SCHEDULED, release_at=timezone.now() - timedelta(minutes=5)
    )
    assert story.status == Story.Status.PUBLISHED and story.is_public()


def test_scheduled_needs_a_release_time(make_story):
    story = make_story("No time", status=Story.Status.DRAFT)
    story.status = Story.Status.SCHEDULED
    with pytest.raises(ValidationError, match="release time"):
        story.full_clean()


def test_publish_now_lifts_embargo_and_records_version_one(make_story):
    story = make_story(
        "Soon", status=Story.Status.SCHEDULED, release_at=timezone.now() + timedelta(days=2)
    )
    story.publish_now()
    assert story.status == Story.Status.PUBLISHED and story.release_at <= timezone.now()
    assert list(story.versions.values_list("number", flat=True)) == [1]
    assert Story.objects.public().filter(pk=story.pk).exists()


def test_a_story_without_reporter_cannot_be_published(make_story):
    story = make_story("Nobody wrote this", reporter=None, status=Story.Status.DRAFT)
    with pytest.raises(ValidationError, match="no reporter"):
        story.publish_now()
    story.refresh_from_db()
    assert story.status == Story.Status.DRAFT


def test_correction_keeps_every_version(make_story):
    story = make_story()
    v1_body = story.body
    version = story.correct(
        body=story.body.replace("Monday", "Sunday"), note="The meeting was on Sunday."
    )
    assert (
        version is not None and version.number == 2 and version.note == "The meeting was on Sunday."
    )
    story.refresh_from_db()
    assert story.version == 2 and "Sunday" in story.body
    assert StoryVersion.objects.get(story=story, number=1).body == v1_body
    assert [c.note for c in story.corrections()] == ["The meeting was on Sunday."]
    assert story.correct(body=story.body, note="nothing") is None  # no change, no correction
    with pytest.raises(ValidationError, match="note"):
        story.correct(body="<p>x</p>", note="  ")


def test_media_restriction_by_licence_or_terms(make_story, wire_terms):
    story = make_story(photo_credit="Jo Smith/Getty Images")
    photo = story.media.get()
    assert photo.restricted(wire_terms)  # the terms restrict Getty Images
    own = Media.objects.create(
        story=story, url="https://plainfieldnews.org/own.jpg", credit="Staff/PNS"
    )
    assert not own.restricted(wire_terms)
    own.licence = Licence.objects.create(name="Agency X", redistributable=False)
    assert own.restricted(wire_terms)
    photo.licence = Licence.objects.create(name="Getty, bought for partners", redistributable=True)
    assert not photo.restricted(wire_terms)  # an explicit licence wins over the credit


def test_terms_are_one_row_and_read_by_the_engine(wire_terms):
    again = Terms(wire="Other wire")
    again.save()
    assert Terms.objects.count() == 1 and Terms.current().wire == "Other wire"
    engine_terms, problems = terms_from_dict(wire_terms.to_dict())
    assert problems == []
    assert engine_terms.logo.url == wire_terms.logo_url and engine_terms.required == tuple(
        wire_terms.required
    )


def test_terms_reject_unknown_checks(db):
    terms = Terms(wire="W", required=["logo", "telepathy"])
    with pytest.raises(ValidationError, match="telepathy"):
        terms.full_clean()


def test_byline_joins_reporters(make_story):
    from newswire.wire.models import Byline, Reporter

    story = make_story()
    other = Reporter.objects.create(name="Tomás Oduya", title="Data Editor")
    Byline.objects.create(story=story, reporter=other, position=5)
    assert story.byline() == "Grace Nakamura, City Hall Reporter and Tomás Oduya, Data Editor"
