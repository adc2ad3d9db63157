"""Line breaks and control characters in what becomes an e-mail (issue 31, item 9): a
headline leaves the import as one line, an editor's subject with a line break is refused
in words, and a message that cannot be built fails once, where the editor sees it."""

from __future__ import annotations

import pytest
from django.core import mail

from newswire.distribution.models import ComplianceNotice, Delivery, Invitation
from newswire.wire.models import Story
from newswire.wire.sanitize import one_line

from ..dashboard.conftest import make_partner
from .test_notices import run_worker

BREAKS = ["Council\r\nBcc: all@example.org", "Council\nvote", "Council\rvote",
          "Council\x00vote", "Council\u2028vote", "Council\x85vote", "Council\tvote\x0b",
          "\x1b[31mCouncil vote", "Council\x7fvote"]  # fmt: skip


@pytest.mark.parametrize("text", BREAKS)
def test_one_line_keeps_the_words_and_drops_the_breaks(text):
    line = one_line(text)
    assert line.startswith(("Council", "[31mCouncil"))
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in line)


@pytest.mark.parametrize("headline", BREAKS)
def test_a_headline_with_a_line_break_is_saved_as_one_line_and_its_correction_is_sent(
    headline, make_story, partner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    story = make_story(headline=headline)
    assert story.headline == one_line(headline) and "\n" not in story.headline
    Delivery.objects.create(partner=partner, story=story, channel="feed")
    with django_capture_on_commit_callbacks(execute=True):
        story.correct(body=story.body + "<p>Corrected.</p>", note="A fix.")
    run_worker()
    (message,) = mail.outbox
    assert message.subject == f"Correction: {story.headline}"


def test_an_import_drops_control_characters_from_headlines(db, wire_terms, tmp_path):
    import json

    from newswire.wire.importer import import_file

    from ..factories import ninjs, paragraphs

    item = ninjs("urn:test:cr", paragraphs(1), headline="Budget\r\nBcc: x@example.org vote")
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(item) + "\n")
    import_file(path)
    assert Story.objects.get(uri="urn:test:cr").headline == "Budget Bcc: x@example.org vote"


@pytest.mark.parametrize("subject", ["Please apply\r\nBcc: all@example.org", "A\nB", "A\x00B"])
def test_an_editors_subject_with_a_line_break_is_refused_in_words(
    subject, staff_client_and_site, django_capture_on_commit_callbacks
):
    client, host, partner = staff_client_and_site
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/dashboard/sites/{host}/decide/",
                           {"action": "invite", "to": "editor@copycat.example",
                            "subject": subject, "body": "Apply."}, follow=True)  # fmt: skip
    assert "A subject is one line" in page.content.decode()
    assert not Invitation.objects.exists()
    page = client.post(f"/dashboard/partners/{partner.pk}/notice/",
                       {"to": "desk@alpha.example", "subject": subject, "body": "Fix it."})  # fmt: skip
    assert page.status_code == 200 and "A subject is one line" in page.content.decode()
    assert not ComplianceNotice.objects.exists()


@pytest.fixture
def staff_client_and_site(client, django_user_model, wire_terms, make_story):
    from ..dashboard.conftest import add_copy

    user = django_user_model.objects.create_user("editor", "e@wire.test", "pw", is_staff=True)
    client.force_login(user)
    partner = make_partner("Alpha Times", "alpha.example")
    story = make_story()
    add_copy(story, "https://copycat.example/a", failed=("logo",))
    add_copy(story, "https://alpha.example/a", failed=("logo",))
    return client, "copycat.example", partner


def test_a_message_that_cannot_be_built_fails_once_in_words(partner, settings, db):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # rows written before these checks: an address with a line break, a subject with one
    bad_to = Invitation.objects.create(host="x.example", to="a@x.example\r\nBcc: b@y.example",
                                       subject="Please apply", body="Apply.")  # fmt: skip
    old_subject = Invitation.objects.create(host="y.example", to="ed@y.example",
                                            subject="Please\r\napply", body="Apply.")  # fmt: skip
    from newswire.distribution.notices import send_invitation

    send_invitation.enqueue(bad_to.pk)
    send_invitation.enqueue(old_subject.pk)
    run_worker()
    run_worker()
    bad_to.refresh_from_db()
    assert bad_to.status == "failed" and bad_to.attempts == 1 and bad_to.next_try_at is None
    assert "cannot be built" in bad_to.last_error and "not tried again" in bad_to.last_error
    old_subject.refresh_from_db()
    assert old_subject.status == "sent"
    (message,) = mail.outbox
    assert message.subject == "Please apply" and message.to == ["ed@y.example"]
