""""Why?" in the dashboard's words (issue 32, item 6): one explanation on the copy page and
the why? page, in sentences, with the correction check, and the time the page was last
read, not a later check that could not reach it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from newswire.pickups.models import Pickup, PickupCheck, Status

from .conftest import result
from .test_views import body


def test_one_explanation_in_words_on_both_pages(wire_terms, make_story, staff_client):
    from newswire.pickups.record import record_result

    story = make_story("Council Delays Budget Vote")
    found = result(story, "https://copier.example/council", failed=("logo", "restricted_media"))
    found["evidence"]["restricted_media"] = (
        '<img src="https://copier.example/GettyImages-1.jpg" alt=""> credited Getty Images')
    found["copy"]["text"] = ["The council met on Monday."]
    copy = record_result(found, "warc_scan").pickup
    read_at = timezone.now() - timedelta(days=2)
    PickupCheck.objects.filter(pickup=copy).update(at=read_at)
    evidence = {**copy.evidence, "correction": "still shows the text before the correction "
                "of 2026-05-12: “1,284 letters” (corrected to “1,482 letters”; note: Fixed.)"}
    Pickup.objects.filter(pk=copy.pk).update(evidence=evidence)
    # a later check that could not reach the page
    PickupCheck.objects.create(pickup=copy, url=copy.url, via="recheck",
                               status=Status.UNREACHABLE, reason="timeout: no answer")  # fmt: skip
    pages = {
        "copy": body(staff_client.get(f"/dashboard/copies/{copy.pk}/")),
        "why": body(staff_client.get("/dashboard/explain/", {"copy": copy.pk})),
    }
    said = {k: v.split('<div class="explanation">', 1)[1].split("</div>", 1)[0]
            for k, v in pages.items()}  # fmt: skip
    assert said["copy"] == said["why"]  # the same explanation, word for word
    text = said["copy"]
    assert "could not read the page" in text and "timeout: no answer" in text
    assert f"{timezone.localtime(read_at):%Y-%m-%d %H:%M}" in text  # read then, not at the failure
    assert "Our logo is not on the page." in text
    assert "It shows a photo we may not pass on: https://copier.example/GettyImages-1.jpg" in text
    assert "&lt;img" not in text and "<img" not in text  # never the page's markup
    assert "Our corrections</strong>: It still shows the text before the correction" in text
    for code in ("restricted_media", "unedited", "logo:"):
        assert code not in text
