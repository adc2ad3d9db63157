"""An edit in the CMS of a story a partner has received reaches the partner as a correction
notice, and waits while the story is under embargo."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from newswire.cms.models import Item
from newswire.cms.poll import poll
from newswire.distribution.models import CorrectionNotice, Delivery
from newswire.wire.models import Story

from ..distribution.test_notices import run_worker
from ..pickups.test_discovery import _commit_callbacks


def _received(wp, wp_source, partner):
    wp.add(1)
    poll(wp_source)
    story = Story.objects.get()
    Delivery.objects.create(partner=partner, story=story, channel="feed")
    return story


def test_an_edit_in_the_cms_sends_a_correction_notice(wp, wp_source, partner):
    story = _received(wp, wp_source, partner)
    wp.edit(
        1, body=wp.posts[1]["content"]["rendered"].replace("two more weeks", "three more weeks")
    )
    assert poll(wp_source).corrected == 1
    _commit_callbacks()
    run_worker()
    notice = CorrectionNotice.objects.get(channel="email")
    assert notice.status == "sent" and notice.version.note == "Updated in the CMS"
    assert notice.version.story == story
    assert len(mail.outbox) == 1 and story.headline in mail.outbox[0].subject + mail.outbox[0].body


def test_a_metadata_change_sends_nothing_unless_an_editor_says_so(
    wp, wp_source, partner, admin_client
):
    story = _received(wp, wp_source, partner)
    wp.edit(1, caption="<p>Residents at the meeting, Monday.</p>")
    assert poll(wp_source).updated == 1
    _commit_callbacks()
    run_worker()
    assert not CorrectionNotice.objects.exists() and mail.outbox == []
    item = Item.objects.get()
    admin_client.post("/admin/cms/item/", {"action": "send_as_correction",
                                           "_selected_action": [item.pk]})  # fmt: skip
    _commit_callbacks()
    run_worker()
    version = story.versions.get(number=2)
    assert version.note == "Updated in the CMS: photos" and version.body == story.body
    assert CorrectionNotice.objects.get(channel="email").status == "sent"


def test_no_notice_while_the_cms_holds_the_story_under_embargo(wp, wp_source, partner):
    story = _received(wp, wp_source, partner)
    later = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    # in WordPress: the post's date moved to tomorrow (it is "future" again) and its text fixed
    wp.edit(1, date_gmt=later.strftime("%Y-%m-%dT%H:%M:%S"), status="future",
            body=wp.posts[1]["content"]["rendered"].replace("Monday", "Tuesday"))  # fmt: skip
    from newswire.cms.readers import wordpress_entry
    from newswire.cms.store import store
    from newswire.wire.models import Terms

    # WordPress lists future posts to authorised readers only; the post is read as it is
    assert store(wp_source, wordpress_entry(wp.posts[1]), Terms.current()) == "corrected"
    story.refresh_from_db()
    assert story.release_at == later and not story.is_public()
    _commit_callbacks()
    run_worker()
    notice = CorrectionNotice.objects.get(channel="email")
    assert notice.status == "held" and notice.next_try_at == later
    assert mail.outbox == []
