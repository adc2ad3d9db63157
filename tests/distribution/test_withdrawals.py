"""A withdrawal told to every partner who has the story (issue 25, part 2): a notice by
e-mail and signed webhook, held while an embargo runs, and the API's ``canceled``."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from django.core import mail
from django.utils import timezone

from newswire.distribution.models import Delivery, Sending, WithdrawalNotice
from newswire.distribution.notices import send_withdrawal
from newswire.engine.ninjs import validation_errors
from newswire.wire.models import Story

from .test_notices import run_worker


def test_a_withdrawal_reaches_partners_by_email_and_signed_webhook(
    delivered,
    partner,
    hook_server,
    django_capture_on_commit_callbacks,
):
    _, hook = hook_server
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.get(pk=delivered.pk).withdraw("A source retracted the quote.")
    run_worker()
    (email,) = mail.outbox
    assert email.subject == f"Withdrawn: {delivered.headline}"
    assert "A source retracted the quote." in email.body and email.to == [partner.contact_email]
    ((headers, body),) = hook.received
    assert headers["X-Newswire-Event"] == "story.withdrawn"
    want = hmac.new(partner.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Newswire-Signature"] == f"sha256={want}"
    data = json.loads(body)
    assert data["reason"] == "A source retracted the quote." and data["event"] == "story.withdrawn"
    assert set(WithdrawalNotice.objects.values_list("status", flat=True)) == {Sending.Status.SENT}


def test_a_withdrawal_notice_waits_for_the_embargo(delivered, partner,
                                                  django_capture_on_commit_callbacks):  # fmt: skip
    later = timezone.now() + timedelta(hours=3)
    Story.objects.filter(pk=delivered.pk).update(release_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        Story.objects.get(pk=delivered.pk).withdraw("Legal advice.")
    run_worker()
    assert mail.outbox == []
    notices = list(WithdrawalNotice.objects.all())
    assert notices and {n.status for n in notices} == {Sending.Status.HELD}
    assert {n.next_try_at for n in notices} == {later}
    Story.objects.filter(pk=delivered.pk).update(release_at=timezone.now() - timedelta(seconds=1))
    for n in notices:
        send_withdrawal.func(n.pk)  # (the queued run, at the release time)
    assert len(mail.outbox) == 1 and "Legal advice." in mail.outbox[0].body


def test_the_api_answers_a_withdrawn_story_as_canceled_to_those_who_have_it(
    client, make_story, partner, api_key, auth, wire_terms, django_user_model
):
    story = make_story()
    url = f"/api/v1/stories/{story.slug}"
    assert client.get(url, headers=auth).status_code == 200  # received: a Delivery
    assert Delivery.objects.filter(partner=partner, story=story).exists()
    Story.objects.get(pk=story.pk).withdraw("A source retracted the quote.")
    got = client.get(url, headers=auth)
    assert got.status_code == 200
    item = got.json()
    assert item["pubstatus"] == "canceled"
    assert item["ednote"].endswith("A source retracted the quote.")
    assert "council" not in json.dumps(item["bodies"]).lower()  # the text is not given again
    assert validation_errors(item) == []  # valid IPTC ninjs 2.2
    # a partner who never received it is told nothing of it
    from newswire.distribution.models import ApiKey
    from newswire.partners.models import Partner

    other = Partner.objects.create(name="Other", website="https://other.example",
                                   contact_email="o@other.example")  # fmt: skip
    _, key = ApiKey.issue(other, "reader")
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 404
