"""Drafting an editor's notice to a partner: copy by copy, what is missing and how the
snippet fixes it. The editor edits the draft; sending goes through the notices
machinery (``distribution.notices.send_compliance_notice``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from ..distribution.models import ComplianceNotice
from ..distribution.notices import send_compliance_notice
from ..partners.models import Partner
from ..pickups.models import Pickup
from ..pickups.record import PROBLEMS
from ..wire.models import Terms
from .queries import FAILED_PHRASES


def how_the_snippet_fixes(check: str, pickup: Pickup, terms: Terms) -> str:
    story = pickup.story
    return {
        "logo": f"The snippet shows our logo ({terms.logo_alt or terms.wire + ' logo'}) with the "
        "byline; please keep the image.",
        "byline": f'The snippet starts with the byline "By {story.byline()}"; please keep it.',
        "affiliation": f"The byline must name {terms.credit_name}: the snippet's byline does "
        f'("By {story.byline()}, {terms.credit_name}").',
        "link": f"The snippet ends with a link to the story: {story.public_url()}",
        "restricted_media": "The photo on your page is one we may not pass on: the snippet "
        "leaves it out; please remove it.",
        "unedited": "The text was changed. Please republish it as the snippet gives it"
        + (
            " (you may cut paragraphs from the end and write your own headline)."
            if terms.allowed_edits
            else "."
        ),
    }.get(check, "")


_SRC = re.compile(r'\bsrc="([^"]+)"')


def what_is_wrong(check: str, pickup: Pickup, terms: Terms) -> str:
    """One plain sentence saying what a copy lacks, with the evidence that shows it."""
    evidence = str((pickup.evidence or {}).get(check) or "")
    if check == "logo":
        return "Our logo is not on the page."
    if check == "byline":
        reads = evidence.split("the byline reads: ", 1)
        shown = f' Its byline reads "{reads[1]}".' if len(reads) == 2 else ""
        return f"The reporter, {pickup.story.byline()}, is not credited as the author.{shown}"
    if check == "affiliation":
        return f"The byline does not name {terms.credit_name}" + (
            f' (it reads "{evidence.split(": ", 1)[1]}").' if ": " in evidence else "."
        )
    if check == "link":
        return "There is no link to the original story."
    if check == "restricted_media":
        photo = _SRC.search(evidence)
        credited = evidence.split(" credited ", 1)
        return (
            "It shows a photo we may not pass on"
            + (f": {photo.group(1)}" if photo else "")
            + (f", credited {credited[1]}" if len(credited) == 2 else "")
            + "."
        )
    if check == "unedited":
        return f"The text differs from ours: {evidence}." if evidence else "The text was changed."
    if check == "canonical":
        return f"{evidence[:1].upper()}{evidence[1:]}." if evidence else ""
    return f"{FAILED_PHRASES.get(check, check)[:1].upper()}{FAILED_PHRASES.get(check, check)[1:]}."


def draft(partner: Partner, pickups: Iterable[Pickup], terms: Terms) -> tuple[str, str, int]:
    """(subject, body, how many copies it lists) of a notice about the partner's copies that
    miss the terms. Only the checks the terms require are listed (advisory ones are not
    held against a copy), each in a plain sentence with its evidence; no copy without a
    problem is listed, and with none to list the caller sends nothing."""
    lines = [
        f"Dear {partner.name},",
        "",
        f"Thank you for republishing stories from {terms.wire}. Some of your copies do not "
        "yet carry what our terms ask for. Copy by copy:",
        "",
    ]
    listed = 0
    required = terms.required or []
    for p in pickups:
        if not p.story.was_released():  # nothing of a story under embargo reaches a partner
            continue
        failed = p.failed_under(required)
        problems = [PROBLEMS[x] for x in p.problems or [] if x in PROBLEMS
                    and not (x == "restricted_photo" and "restricted_media" in failed)]  # fmt: skip
        if not failed and not problems:
            continue
        listed += 1
        lines.append(f"{listed}. {p.story.headline}")
        lines.append(f"   {p.url}")
        for check in failed:
            lines.append(f"   - {what_is_wrong(check, p, terms)}")
            fix = how_the_snippet_fixes(check, p, terms)
            if fix:
                lines.append(f"     {fix}")
        for problem in problems:
            lines.append(f"   - {problem[:1].upper()}{problem[1:]}.")
        lines.append("")
    portal = settings.SITE_URL + reverse("dashboard:partner_pickups")
    lines += [
        "The republish snippet for each story, with the attribution built in, is on your "
        f"partner page: {portal}",
        "",
        f"Our terms: {terms.shown_text}" if terms.shown_text else "",
        "",
        "With thanks,",
        terms.wire + (f" <{terms.contact}>" if terms.contact else ""),
    ]
    subject = (
        f"{terms.wire}: {listed} of your copies need a fix"
        if listed != 1
        else (f"{terms.wire}: one of your copies needs a fix")
    )
    return subject, "\n".join(lines).replace("\n\n\n", "\n\n"), listed


def send(
    partner: Partner, to: str, subject: str, body: str, pickups: list[int], by: Any
) -> ComplianceNotice:
    """Record the notice on the partner's history and queue it for sending."""
    notice = ComplianceNotice.objects.create(
        partner=partner, to=to, subject=subject[:300], body=body, pickups=pickups,
        by=by if getattr(by, "pk", None) else None,
    )  # fmt: skip
    transaction.on_commit(partial(send_compliance_notice.enqueue, notice.pk))
    return notice
