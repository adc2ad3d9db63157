from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.urls import reverse

from newswire.distribution.models import CorrectionNotice, Delivery
from newswire.distribution.notices import BACKOFF, deliver


class Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook_server(settings):
    settings.NEWSWIRE_FETCH_ALLOW = ["127.0.0.1/32"]  # the fake partner runs on loopback
    Hook.received, Hook.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", Hook
    server.shutdown()
    server.server_close()


@pytest.fixture
def delivered(make_story, partner, wire_terms, hook_server):
    url, _ = hook_server
    partner.webhook_url = url
    partner.save()
    story = make_story()
    Delivery.objects.create(partner=partner, story=story, channel="feed")
    return story


def run_worker():
    """Run the real worker's batch (``newswire worker --batch``: newswire.worker) over the
    queue, inside the test's transaction.

    The worker calls close_old_connections() between tasks, which closes a
    connection that is inside a transaction (the test's); here that is a no-op.
    """
    from unittest import mock

    from newswire.worker import TurnWorker

    with mock.patch("newswire.worker.close_old_connections"):
        TurnWorker(queue_names=["default"], interval=0.05, batch=True, backend_name="default",
                   startup_delay=False, max_tasks=None, worker_id="test",
                   excluded_queue_names=[]).run()  # fmt: skip


def test_correction_reaches_partner_by_email_and_signed_webhook(
    delivered, partner, hook_server, django_capture_on_commit_callbacks
):
    _, hook = hook_server
    with django_capture_on_commit_callbacks(execute=True):
        delivered.correct(body=delivered.body.replace("Monday", "Sunday"), note="It was Sunday.")
    notices = CorrectionNotice.objects.order_by("channel")
    assert [(n.channel, n.status) for n in notices] == [
        ("email", "pending"),
        ("webhook", "pending"),
    ]
    run_worker()
    assert sorted(CorrectionNotice.objects.values_list("status", flat=True)) == ["sent", "sent"]
    assert len(mail.outbox) == 1 and "It was Sunday." in mail.outbox[0].body
    assert mail.outbox[0].to == [partner.contact_email]
    headers, body = hook.received[0]
    expected = (
        "sha256=" + hmac.new(partner.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
    )
    assert headers["X-Newswire-Signature"] == expected
    data = json.loads(body)
    assert (
        data["event"] == "story.corrected"
        and data["note"] == "It was Sunday."
        and data["version"] == 2
    )


def test_failed_webhook_is_retried_then_given_up(delivered, hook_server):
    _, hook = hook_server
    hook.status = 500
    version = delivered.correct(body=delivered.body + "<p>More.</p>", note="Added a line.")
    notice = CorrectionNotice.objects.get(version=version, channel="webhook")
    assert deliver(notice) is False
    notice.refresh_from_db()
    assert notice.status == "retrying" and notice.attempts == 1 and "500" in notice.last_error
    assert notice.next_try_at is not None
    for _ in BACKOFF:
        deliver(notice)
    notice.refresh_from_db()
    assert notice.status == "failed" and notice.attempts == len(BACKOFF) + 1
    hook.status = 200
    assert deliver(notice) is True  # an editor's retry


def test_only_partners_that_received_the_story_are_told(make_story, partner, wire_terms):
    story = make_story()
    story.correct(body=story.body + "<p>x</p>", note="n")
    assert CorrectionNotice.objects.count() == 0  # nobody received it


def test_suspended_partner_gets_no_notice(delivered, partner, admin_user):
    partner.suspend(by=admin_user)
    delivered.correct(body=delivered.body + "<p>x</p>", note="n")
    assert CorrectionNotice.objects.count() == 0


def test_admin_lists_notices_and_retries(admin_client, delivered, hook_server):
    _, hook = hook_server
    hook.status = 503
    version = delivered.correct(body=delivered.body + "<p>x</p>", note="n")
    notice = CorrectionNotice.objects.get(version=version, channel="webhook")
    deliver(notice)
    page = admin_client.get(
        reverse("admin:distribution_correctionnotice_changelist")
    ).content.decode()
    assert "Failed, will retry" in page and "503" in page
    hook.status = 200
    admin_client.post(
        reverse("admin:distribution_correctionnotice_changelist"),
        {"action": "retry_now", "_selected_action": [notice.pk]},
    )
    run_worker()
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_webhook_to_an_inside_address_is_refused_and_never_sent(delivered, hook_server, settings):
    """Without the test allow list, the partner's loopback URL is refused before connecting."""
    _, hook = hook_server
    settings.NEWSWIRE_FETCH_ALLOW = []
    delivered.correct(body=delivered.body.replace("Monday", "Sunday"), note="It was Sunday.")
    webhook = CorrectionNotice.objects.get(channel="webhook")
    assert deliver(webhook) is False
    webhook.refresh_from_db()
    assert "blocked_address" in webhook.last_error or "loopback" in webhook.last_error
    assert hook.received == []


def test_embargo_holds_for_notices_and_webhooks(partner, wire_terms, hook_server):
    from ..embargo import assert_notices_hold

    url, hook = hook_server
    partner.webhook_url = url
    partner.save()

    def received() -> str:
        mails = "\n".join(m.subject + m.body for m in mail.outbox)
        return mails + "\n".join(body.decode() for _, body in hook.received)

    def work() -> None:
        # the test runs in one transaction: run what would run on commit (the enqueues)
        from django.db import connection

        while connection.run_on_commit:
            _, callback, _ = connection.run_on_commit.pop(0)
            callback()
        run_worker()

    stories = assert_notices_hold(partner, work, received)
    statuses = dict(
        CorrectionNotice.objects.filter(channel="webhook").values_list(
            "version__story__status", "status"
        )
    )
    assert statuses["withdrawn"] == "cancelled"
    assert statuses["draft"] == "held"
    assert len(stories) == 5


def test_held_notice_goes_when_the_release_time_passes(
    delivered, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        delivered.release_at = later  # an import that moves the story under embargo
        delivered.save()
        delivered.correct(body=delivered.body.replace("Monday", "Sunday"), note="Sunday.")
    run_worker()
    notice = CorrectionNotice.objects.get(channel="email")
    assert (notice.status, notice.next_try_at) == ("held", later)
    assert mail.outbox == []
    delivered.release_at = timezone.now() - timedelta(seconds=1)
    type(delivered).objects.filter(pk=delivered.pk).update(release_at=delivered.release_at)
    assert deliver(notice) is True and len(mail.outbox) == 1


def test_every_try_of_a_notice_carries_the_same_delivery_id(delivered, hook_server):
    _, hook = hook_server
    hook.status = 500
    version = delivered.correct(body=delivered.body + "<p>More.</p>", note="Added a line.")
    webhook = CorrectionNotice.objects.get(version=version, channel="webhook")
    email = CorrectionNotice.objects.get(version=version, channel="email")
    assert deliver(webhook) is False
    hook.status = 200
    webhook.refresh_from_db()
    assert deliver(webhook) is True
    ids = {h["X-Newswire-Delivery"] for h, _ in hook.received}
    assert len(hook.received) == 2 and ids == {str(webhook.delivery_id)}
    assert deliver(email) is True
    assert mail.outbox[-1].extra_headers["Message-ID"].startswith(f"<{email.delivery_id}@")
    assert email.delivery_id != webhook.delivery_id


def test_a_send_cut_off_mid_way_is_marked_and_sent_again_with_the_same_id(
    delivered, hook_server, monkeypatch
):
    """What a worker killed with -9 during the POST leaves: the notice saved as ``sending``
    before the POST (committed), never as sent. The task, queued again, sends it again,
    with the same id, and says so."""
    from newswire.distribution import notices

    _, hook = hook_server
    version = delivered.correct(body=delivered.body + "<p>More.</p>", note="Added a line.")
    notice = CorrectionNotice.objects.get(version=version, channel="webhook")

    def killed_during_the_post():
        saved = CorrectionNotice.objects.get(pk=notice.pk)  # what the database holds now
        assert (saved.status, saved.attempts) == ("sending", 1)
        raise SystemExit("SIGKILL")  # nothing after this line runs in a killed worker

    monkeypatch.setattr(notices, "_send_webhook", lambda n: killed_during_the_post())
    with pytest.raises(SystemExit):
        deliver(notice)
    monkeypatch.undo()
    again = CorrectionNotice.objects.get(pk=notice.pk)
    assert again.status == "sending"
    assert notices.send_notice.call(again.pk) == "sent"
    again.refresh_from_db()
    assert again.status == "sent" and again.attempts == 2 and "cut off mid-send" in again.last_error
    assert [h["X-Newswire-Delivery"] for h, _ in hook.received] == [str(notice.delivery_id)]
