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


def test_a_since_listing_carries_the_kill_to_those_who_received_the_story(
    client, make_story, partner, api_key, auth, wire_terms
):
    """(issue 32, item 4) As wire services send kills: ``?since=`` after a withdrawal gives
    the canceled item to partners who received the story, and to nobody else."""
    from newswire.distribution.models import ApiKey
    from newswire.partners.models import Partner

    story = make_story()
    kept = make_story("Bridge Opens Early")
    before = (timezone.now() - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    assert client.get(f"/api/v1/stories/{story.slug}", headers=auth).status_code == 200
    Story.objects.get(pk=story.pk).withdraw("A source retracted the quote.")
    for query in ("", "&ninjs=3.1"):
        page = client.get(f"/api/v1/stories?since={before}{query}", headers=auth).json()
        first = page["items"][0]
        assert first["uri"] == story.uri
        assert first.get("pubstatus", first.get("pubStatus")) == "canceled"
        assert kept.uri in [i["uri"] for i in page["items"]]
    other = Partner.objects.create(name="Other", website="https://other.example",
                                   contact_email="o@other.example")  # fmt: skip
    _, key = ApiKey.issue(other, "reader")
    theirs = client.get(f"/api/v1/stories?since={before}",
                        headers={"Authorization": f"Bearer {key}"}).json()  # fmt: skip
    assert story.uri not in [i["uri"] for i in theirs["items"]]
    assert kept.uri in [i["uri"] for i in theirs["items"]]


def test_the_partner_view_asks_to_take_a_withdrawn_storys_copy_down(
    client, make_story, wire_terms, django_user_model
):
    """(issue 32, item 4) Its copy first, "take this copy down", never "nothing to fix";
    "What we sent you" lists the withdrawal; a copy seen gone says so."""
    from newswire.distribution.notices import withdrawal_notices_for
    from newswire.pickups.models import Pickup, Status

    from ..dashboard.conftest import add_copy, make_partner

    partner = make_partner("Riverbend Courier", "riverbend.example")
    user = django_user_model.objects.create_user("river", "r@riverbend.example", "pw")
    partner.members.add(user)
    client.force_login(user)
    story = make_story()
    other = make_story("Bridge Opens Early")
    add_copy(other, "https://riverbend.example/bridge", failed=("logo",))
    copy = add_copy(story, "https://riverbend.example/council")  # compliant
    Delivery.objects.create(partner=partner, story=story, channel="feed")
    # the partner had asked for a check, made (and passed) just before the withdrawal
    from newswire.pickups.models import PickupCheck

    Pickup.objects.filter(pk=copy.pk).update(recheck_asked_at=timezone.now() - timedelta(minutes=2))
    PickupCheck.objects.create(pickup=copy, url=copy.url, via="partner", status=Status.OK,
                               compliant=True, at=timezone.now() - timedelta(minutes=1))  # fmt: skip
    Story.objects.get(pk=story.pk).withdraw("A source retracted the quote.")
    withdrawal_notices_for(Story.objects.get(pk=story.pk))
    page = client.get("/partner/pickups/").content.decode()
    assert "Nothing to fix" not in page and "Take this copy down" in page
    assert "we checked at" not in page  # (no check since the withdrawal: nothing said of one)
    assert page.index("Take this copy down") < page.index("Bridge Opens Early")
    assert "A source retracted the quote." in page
    sent = page.split("What we sent you", 1)[1]
    assert "Withdrawals" in sent and story.headline[:40] in sent
    council = page.split("riverbend.example/council", 1)[1].split("</li>", 1)[0]
    assert "Carries everything our terms ask for" not in council
    # asked to check again: the page is still up, then gone
    Pickup.objects.filter(pk=copy.pk).update(recheck_asked_at=timezone.now() - timedelta(minutes=1))
    PickupCheck.objects.create(pickup=copy, url=copy.url, via="partner", status=Status.OK)
    page = client.get("/partner/pickups/").content.decode()
    assert "your page still shows the story we withdrew" in page
    assert "carries everything" not in page.split("riverbend.example/council", 1)[1]
    assert "You can ask for another check of this copy after" in page
    Pickup.objects.filter(pk=copy.pk).update(status=Status.GONE)
    PickupCheck.objects.create(pickup=copy, url=copy.url, via="partner", status=Status.GONE,
                               reason="HTTP 404")  # fmt: skip
    page = client.get("/partner/pickups/?show=all").content.decode()
    assert "Taken down" in page and "Take this copy down" not in page
    assert "your page is gone, as we asked" in page
    assert "1 needs a fix" in page  # (the other story's copy only: the one taken down is done)
