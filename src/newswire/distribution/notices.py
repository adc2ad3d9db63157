"""Corrections reach partners: an e-mail, and a signed webhook where the partner gave one.

A correction (a :class:`~newswire.wire.models.StoryVersion` after the first)
creates one :class:`CorrectionNotice` per channel for each active partner that
received the story, and a background task (django-tasks, run by
``newswire worker``) sends each. A failed send is retried with growing delays,
then marked failed; the admin lists every notice with its status and can retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ..events import partner_told
from ..fetch import FetchPolicy, SafeClient
from ..wire.models import StoryVersion, Terms
from ..wire.partner_copy import partner_body
from ..wire.sanitize import one_line
from .models import ComplianceNotice, CorrectionNotice, Delivery, Sending

log = logging.getLogger(__name__)

BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2)]
WEBHOOK_TIMEOUT = 10


def notices_for(version: StoryVersion) -> list[CorrectionNotice]:
    """Create the notices for a correction (once) and queue them."""
    if version.number < 2:
        return []
    return _tell_receivers(version.story_id, CorrectionNotice, send_notice, version=version)


def _tell_receivers(story_id: int, model: Any, send: Any, **about: Any) -> list[Any]:
    """A notice (``model``, about ``about``) on each channel of every active partner who
    received the story, made once each, and queued to the task ``send`` once committed:
    e-mail always, the signed webhook where the partner has one."""
    made = []
    deliveries = Delivery.objects.filter(story_id=story_id, partner__status="active")
    for d in deliveries.select_related("partner"):
        channels = [CorrectionNotice.Channel.EMAIL]
        if d.partner.webhook_url:
            channels.append(CorrectionNotice.Channel.WEBHOOK)
        for channel in channels:
            notice, created = model.objects.get_or_create(
                partner=d.partner, channel=channel, **about
            )
            if created:
                made.append(notice)
    for notice in made:
        transaction.on_commit(partial(send.enqueue, notice.pk))
    return made


def payload(notice: CorrectionNotice) -> dict[str, Any]:
    version = notice.version
    story = version.story
    return {
        "event": "story.corrected",
        "story": {"uri": story.uri, "headline": version.headline, "url": story.public_url()},
        "version": version.number,
        "corrected_at": version.created_at.isoformat(),
        "note": version.note,
        "body": partner_body(version.body, story, Terms.current()),  # restricted photos left out
        "api": settings.SITE_URL + f"/api/v1/stories/{story.slug}",
    }


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def message_id(notice: Sending) -> str:
    """The notice's e-mail Message-ID: the same for every try, so a repeat can be dropped."""
    host = urlsplit(settings.SITE_URL).hostname or "newswire.invalid"
    return f"<{notice.delivery_id}@{host}>"


class Unsendable(Exception):
    """A message that cannot be built (an address with a line break, say): it fails once,
    in words, instead of being tried again until the back-off gives up."""


def send_email(notice: Sending, subject: str, body: str, to: str) -> None:
    """Build the notice's e-mail (its subject one line: a headline's or an editor's line
    break never makes it unsendable), then send it; :class:`Unsendable` when it cannot be
    built at all."""
    message = EmailMessage(one_line(subject), body, None, [to],
                           headers={"Message-ID": message_id(notice)})  # fmt: skip
    try:
        message.message()  # the headers are checked here (BadHeaderError is a ValueError)
    except ValueError as exc:
        raise Unsendable(f"the e-mail cannot be built: {exc}") from None
    message.send()


def _send_email(notice: CorrectionNotice) -> None:
    data = payload(notice)
    terms = Terms.current()
    send_email(
        notice,
        f"Correction: {data['story']['headline']}",
        f"{terms.wire} has corrected a story you received.\n\n"
        f"{data['story']['headline']}\n{data['story']['url']}\n\n"
        f"Correction ({notice.version.created_at:%Y-%m-%d}): {data['note']}\n\n"
        "Please update your copy. The corrected text is in your feed and at\n"
        f"{data['api']}\n",
        notice.partner.contact_email,
    )


def _send_webhook(notice: CorrectionNotice) -> None:
    post_webhook(notice, "story.corrected", payload(notice))


def post_webhook(notice: Any, event: str, data: dict[str, Any]) -> None:
    """POST a notice's JSON to its partner's webhook, signed, with its delivery id.

    Through the safe fetcher: the URL is the partner's to type, so it must not reach
    the database port or a metadata service on this server's network."""
    body = json.dumps(data).encode()
    with SafeClient(FetchPolicy.from_settings(settings, total_timeout=WEBHOOK_TIMEOUT)) as client:
        response = client.request(
            "POST",
            notice.partner.webhook_url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Newswire-Event": event,
                "X-Newswire-Signature": signature(notice.partner.webhook_secret, body),
                "X-Newswire-Delivery": str(notice.delivery_id),
            },
        )
    if not 200 <= response.status < 300:
        raise WebhookFailed(f"HTTP {response.status} from {response.final_url}")


class WebhookFailed(Exception):
    pass


def hold(notice: CorrectionNotice) -> bool:
    """Keep a notice of a story that is not public back (or cancel it); return whether it was.

    A correction can be made while a story is under embargo (an import that sets a
    future release time, an editor in the admin): telling partners then would hand
    them the embargoed text. The notice waits for the release time; a withdrawn
    story's notices never go.
    """
    story = notice.version.story
    if story.is_public():
        return False
    if story.status == story.Status.WITHDRAWN:
        notice.status = CorrectionNotice.Status.CANCELLED
        notice.next_try_at = None
    else:
        notice.status = CorrectionNotice.Status.HELD
        notice.next_try_at = story.release_at if story.embargoed else None
    notice.save(update_fields=["status", "next_try_at"])
    return True


def release_held(story_id: int) -> int:
    """Queue the held notices of a story that has just become public; return how many."""
    held = list(
        CorrectionNotice.objects.filter(
            version__story_id=story_id, status=CorrectionNotice.Status.HELD
        ).values_list("pk", flat=True)
    )
    for pk in held:
        transaction.on_commit(partial(send_notice.enqueue, pk))
    return len(held)


def attempt(notice: Sending, send: Callable[[], None]) -> bool:
    """Try one send of a notice; record the outcome (retry later, give up, sent).

    The notice is saved as ``sending`` before the send starts. A worker killed while the
    receiver is answering leaves it so; the task, queued again, then sends it again, with
    the same delivery id (``X-Newswire-Delivery``, the e-mail's ``Message-ID``): whether
    the first one arrived cannot be known here, and the id lets a receiver drop a repeat.
    """
    cut_off = notice.status == Sending.Status.SENDING
    if cut_off:
        log.warning("notice %s (%s) was cut off mid-send; sending it again with the same id",
                    notice.pk, notice.delivery_id)  # fmt: skip
    notice.attempts += 1
    notice.status = Sending.Status.SENDING
    notice.save(update_fields=["status", "attempts"])  # committed before anything is sent
    try:
        send()
    except Unsendable as exc:  # trying again would build the same message: it fails now
        notice.last_error = f"{exc}; not sent, and not tried again: correct it and resend"[:2000]
        notice.status, notice.next_try_at = Sending.Status.FAILED, None
        notice.save()
        log.warning("notice %s cannot be sent: %s", notice.pk, exc)
        return False
    except Exception as exc:
        notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if notice.attempts > len(BACKOFF):
            notice.status = Sending.Status.FAILED
            notice.next_try_at = None
        else:
            notice.status = Sending.Status.RETRYING
            notice.next_try_at = timezone.now() + BACKOFF[notice.attempts - 1]
        notice.save()
        return False
    notice.status = Sending.Status.SENT
    notice.sent_at = timezone.now()
    notice.next_try_at = None
    notice.last_error = (
        "sent again after a try that was cut off mid-send (same delivery id)" if cut_off else ""
    )
    notice.save()
    _told(notice)
    return True


def _told(notice: Sending) -> None:
    """A correction's or withdrawal's notice went out: the partner's clock starts."""
    from .models import WithdrawalNotice

    if isinstance(notice, CorrectionNotice):
        story_id, kind = notice.version.story_id, "correction"
    elif isinstance(notice, WithdrawalNotice):
        story_id, kind = notice.story_id, "withdrawal"
    else:
        return
    partner_told.send(sender=type(notice), partner_id=notice.partner_id, story_id=story_id,
                      kind=kind, at=notice.sent_at)  # fmt: skip


def deliver(notice: CorrectionNotice) -> bool:
    """Try to send one notice now; record the outcome; return whether it was sent.

    A notice of a story that is not public is held (or cancelled), not sent.
    """
    if hold(notice):
        return False
    if notice.channel == CorrectionNotice.Channel.EMAIL:
        return attempt(notice, partial(_send_email, notice))
    return attempt(notice, partial(_send_webhook, notice))


@task()
def send_notice(notice_id: int) -> str:
    notice = (
        CorrectionNotice.objects.select_related("partner", "version__story")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or notice.status in (
        CorrectionNotice.Status.SENT,
        CorrectionNotice.Status.FAILED,
        CorrectionNotice.Status.CANCELLED,
    ):
        return "nothing to do"
    if deliver(notice):
        return "sent"
    if notice.status == CorrectionNotice.Status.HELD and notice.next_try_at:
        # look again at the release time (an embargo moved later is held again then)
        send_notice.using(run_after=notice.next_try_at).enqueue(notice.pk)
    if notice.status == CorrectionNotice.Status.RETRYING and notice.next_try_at:
        send_notice.using(run_after=notice.next_try_at).enqueue(notice.pk)
    return notice.status


def _email_with_retries(notice: Any, task_: Any) -> str:
    """Send an editor's e-mail (a notice, an invitation: ``subject``, ``body``, ``to``) once;
    on a failure, queue ``task_`` again at the notice's next try."""
    if notice is None or notice.status in (Sending.Status.SENT, Sending.Status.FAILED):
        return "nothing to do"
    if attempt(notice, partial(send_email, notice, notice.subject, notice.body, notice.to)):
        return "sent"
    if notice.status == Sending.Status.RETRYING and notice.next_try_at:
        task_.using(run_after=notice.next_try_at).enqueue(notice.pk)
    return str(notice.status)


@task()
def send_compliance_notice(notice_id: int) -> str:
    """Send an editor's notice about a partner's copies; retried like a correction notice."""
    notice = ComplianceNotice.objects.filter(pk=notice_id).first()
    return _email_with_retries(notice, send_compliance_notice)


@task()
def send_invitation(invitation_id: int) -> str:
    """Send an editor's invitation to a site to apply; retried like the other notices."""
    from .models import Invitation

    return _email_with_retries(Invitation.objects.filter(pk=invitation_id).first(), send_invitation)


# --- withdrawals -----------------------------------------------------------------


def withdrawal_notices_for(story: Any) -> list[Any]:
    """Create the notices of a story's withdrawal to every partner who received it (once)
    and queue them."""
    from .models import WithdrawalNotice

    return _tell_receivers(story.pk, WithdrawalNotice, send_withdrawal, story=story)


def withdrawal_payload(notice: Any) -> dict[str, Any]:
    story = notice.story
    return {
        "event": "story.withdrawn",
        "story": {"uri": story.uri, "headline": story.headline, "url": story.public_url()},
        "withdrawn_at": (story.withdrawn_at or notice.created_at).isoformat(),
        "reason": story.withdrawn_reason,
        "api": settings.SITE_URL + f"/api/v1/stories/{story.slug}",
    }


def _send_withdrawal_email(notice: Any) -> None:
    data = withdrawal_payload(notice)
    terms = Terms.current()
    send_email(
        notice,
        f"Withdrawn: {data['story']['headline']}",
        f"{terms.wire} has withdrawn a story you received.\n\n"
        f"{data['story']['headline']}\n\n"
        f"Why: {data['reason'] or '(no reason given)'}\n\n"
        "Please take your copy down. Our API now answers this story as canceled:\n"
        f"{data['api']}\n",
        notice.partner.contact_email,
    )


def _send_withdrawal_webhook(notice: Any) -> None:
    post_webhook(notice, "story.withdrawn", withdrawal_payload(notice))


@task()
def send_withdrawal(notice_id: int) -> str:
    """Send a withdrawal notice; held while the story's embargo runs (telling partners of
    it before then would say what is under embargo), retried like the others."""
    from .models import WithdrawalNotice

    notice = (WithdrawalNotice.objects.select_related("partner", "story")
              .filter(pk=notice_id).first())  # fmt: skip
    if notice is None or notice.status in (Sending.Status.SENT, Sending.Status.FAILED):
        return "nothing to do"
    story = notice.story
    if story.release_at and story.release_at > timezone.now():
        notice.status, notice.next_try_at = Sending.Status.HELD, story.release_at
        notice.save(update_fields=["status", "next_try_at"])
        send_withdrawal.using(run_after=story.release_at).enqueue(notice.pk)
        return notice.status
    send = _send_withdrawal_email if notice.channel == "email" else _send_withdrawal_webhook
    if attempt(notice, partial(send, notice)):
        return "sent"
    if notice.status == Sending.Status.RETRYING and notice.next_try_at:
        send_withdrawal.using(run_after=notice.next_try_at).enqueue(notice.pk)
    return notice.status
